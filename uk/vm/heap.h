/*
 * heap.h - uk_malloc/uk_free over the RAM left after the kernel image.
 */
#ifndef UK_VM_HEAP_H
#define UK_VM_HEAP_H

#include <stdint.h>
#include <stddef.h>

void	heap_init(uintptr_t lo, uintptr_t hi);
size_t	heap_free_bytes(void);

#endif
