/*
 * pvh.c - hvm_start_info: magic, command line and the E820-style map.
 *
 * QEMU places start_info, the command line and the map outside type-1
 * RAM (below 1 MiB, in reserved/NVS ranges), so nothing we allocate can
 * overwrite them; the command line is copied anyway because the app's
 * argv points into it for the life of the kernel.
 */
#include "uk/include/uk.h"
#include "uk/vm/pvh.h"

#define PVH_MAGIC	0x336ec578
#define E820_RAM	1

struct hvm_start_info {
	uint32_t	magic;
	uint32_t	version;
	uint32_t	flags;
	uint32_t	nr_modules;
	uint64_t	modlist_paddr;
	uint64_t	cmdline_paddr;
	uint64_t	rsdp_paddr;
	uint64_t	memmap_paddr;	/* version >= 1 */
	uint32_t	memmap_entries;
	uint32_t	reserved;
};

struct hvm_memmap_entry {
	uint64_t	addr;
	uint64_t	size;
	uint32_t	type;
	uint32_t	reserved;
};

static const struct hvm_start_info *
info(uint32_t start_info)
{
	const struct hvm_start_info *si;

	si = (const struct hvm_start_info *)(uintptr_t)start_info;
	if (si == NULL || si->magic != PVH_MAGIC)
		return NULL;
	return si;
}

int
pvh_cmdline(uint32_t start_info, char *buf, size_t len)
{
	const struct hvm_start_info	*si = info(start_info);
	const char			*s;
	size_t				 i = 0;

	if (si == NULL)
		return UK_EINVAL;
	s = (const char *)(uintptr_t)si->cmdline_paddr;
	if (s != NULL)
		for (; i + 1 < len && s[i] != '\0'; i++)
			buf[i] = s[i];
	buf[i] = '\0';
	return 0;
}

int
pvh_ram_around(uint32_t start_info, uint64_t addr, uint64_t *lo,
    uint64_t *hi)
{
	const struct hvm_start_info	*si = info(start_info);
	const struct hvm_memmap_entry	*e;
	uint32_t			 i;

	if (si == NULL || si->version < 1 || si->memmap_paddr == 0)
		return UK_EINVAL;
	e = (const struct hvm_memmap_entry *)(uintptr_t)si->memmap_paddr;
	/* QEMU counts a trailing all-zero entry: size 0 never matches. */
	for (i = 0; i < si->memmap_entries; i++, e++) {
		if (e->type != E820_RAM || e->size == 0)
			continue;
		if (addr >= e->addr && addr - e->addr < e->size) {
			*lo = e->addr;
			*hi = e->addr + e->size;
			return 0;
		}
	}
	return UK_ENOENT;
}
