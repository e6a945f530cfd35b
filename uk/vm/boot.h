/*
 * boot.h - what boot.S hands to C, and the PVH start_info it passes on.
 */
#ifndef UK_VM_BOOT_H
#define UK_VM_BOOT_H

#include <stdint.h>

/* TSC at the first instruction of the PVH entry. */
extern uint64_t vm_boot_tsc;
/* Linker symbols: the image, and where free RAM begins after it. */
extern char __image_start[], __image_end[];

/* Called by boot.S in long mode with the hvm_start_info address. */
void	vm_start(uint32_t start_info) __attribute__((noreturn));

#endif
