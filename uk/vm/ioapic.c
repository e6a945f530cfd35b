/*
 * ioapic.c - IOAPIC redirection entries.
 *
 * microvm has one IOAPIC at 0xfec00000 (GSIs 0-23) and, with ACPI on, a
 * second at 0xfec10000 (GSIs 24-47). Without ACPI tables to say so, GSI
 * n is taken to be pin n % 24 of IOAPIC n / 24, checked against the
 * chip's own pin count.
 */
#include "uk/include/uk.h"
#include "uk/vm/cpu.h"
#include "uk/vm/ioapic.h"

#define IOAPIC_BASE	0xfec00000UL
#define IOAPIC_STRIDE	0x10000UL
#define IOAPIC_PINS	24
#define IOREGSEL	0x00
#define IOWIN		0x10
#define REG_VERSION	0x01
#define REG_REDIR	0x10
#define REDIR_LEVEL	(1u << 15)

static uint32_t
rd(uintptr_t base, uint32_t reg)
{
	mmio_write32(base + IOREGSEL, reg);
	return mmio_read32(base + IOWIN);
}

static void
wr(uintptr_t base, uint32_t reg, uint32_t v)
{
	mmio_write32(base + IOREGSEL, reg);
	mmio_write32(base + IOWIN, v);
}

int
ioapic_route(uint32_t gsi, unsigned vector)
{
	uintptr_t	 base = IOAPIC_BASE + (gsi / IOAPIC_PINS) * IOAPIC_STRIDE;
	uint32_t	 pin = gsi % IOAPIC_PINS, ver;

	if (gsi >= 2 * IOAPIC_PINS)
		return UK_ENOENT;
	ver = rd(base, REG_VERSION);
	if (ver == 0 || ver == 0xffffffff || pin > ((ver >> 16) & 0xff))
		return UK_ENOENT;
	wr(base, REG_REDIR + 2 * pin + 1, 0);		/* APIC ID 0 */
	wr(base, REG_REDIR + 2 * pin, vector | REDIR_LEVEL);
	return 0;
}
