/*
 * mem.h - the four libc memory functions a freestanding compiler may call
 * on its own (structure copies, zeroing loops), provided by the vm runtime.
 */
#ifndef UK_VM_MEM_H
#define UK_VM_MEM_H

#include <stddef.h>

void	*memcpy(void *dst, const void *src, size_t n);
void	*memmove(void *dst, const void *src, size_t n);
void	*memset(void *dst, int c, size_t n);
int	 memcmp(const void *a, const void *b, size_t n);
int	 bcmp(const void *a, const void *b, size_t n);

#endif
