/*
 * pvh.h - reading the PVH hvm_start_info (Xen public/arch-x86/hvm/
 * start_info.h): the kernel command line and the RAM map.
 */
#ifndef UK_VM_PVH_H
#define UK_VM_PVH_H

#include <stddef.h>
#include <stdint.h>

/* Copies the command line (NUL-terminated, cut to LEN-1) into BUF;
 * returns 0, or UK_EINVAL when start_info is not PVH. */
int	pvh_cmdline(uint32_t start_info, char *buf, size_t len);
/* The type-1 RAM range that contains ADDR, as [*lo, *hi); returns 0, or
 * UK_ENOENT if ADDR is in no RAM range of the map. */
int	pvh_ram_around(uint32_t start_info, uint64_t addr, uint64_t *lo,
	    uint64_t *hi);

#endif
