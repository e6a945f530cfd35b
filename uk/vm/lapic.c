/*
 * lapic.c - local APIC in xAPIC (MMIO) mode.
 *
 * PVH entry leaves it software-disabled (SVR 0xff) with LINT0 masked, so
 * the legacy 8259 never reaches us; we mask the 8259 anyway for machines
 * that have one (a write to absent ports is harmless).
 */
#include "uk/vm/cpu.h"
#include "uk/vm/lapic.h"
#include "uk/vm/trap.h"

#define MSR_APIC_BASE	0x1b
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERROR	0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	0x390
#define LAPIC_TIMER_DIV	0x3e0
#define LVT_MASKED	0x10000
#define SVR_ENABLE	0x100
#define DIV_BY_1	0xb

static uintptr_t	lapic_base;

static uint32_t
rd(unsigned reg)
{
	return mmio_read32(lapic_base + reg);
}

static void
wr(unsigned reg, uint32_t v)
{
	mmio_write32(lapic_base + reg, v);
}

void
lapic_init(void)
{
	outb(0x21, 0xff);			/* mask both 8259s */
	outb(0xa1, 0xff);
	lapic_base = (uintptr_t)(rdmsr(MSR_APIC_BASE) & 0xfffff000);
	wr(LAPIC_SVR, SVR_ENABLE | TRAP_SPURIOUS);
	wr(LAPIC_TPR, 0);
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_MASKED);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_TIMER_DIV, DIV_BY_1);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
}

void
lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

void
lapic_timer_free_run(void)
{
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_TIMER_INIT, 0xffffffff);
}

uint32_t
lapic_timer_count(void)
{
	return rd(LAPIC_TIMER_CUR);
}

void
lapic_timer_oneshot(unsigned vec, uint32_t ticks)
{
	wr(LAPIC_LVT_TIMER, vec);		/* one-shot, unmasked */
	wr(LAPIC_TIMER_INIT, ticks);
}
