/*
 * trap.c - the interrupt descriptor table and the C side of isr.S.
 *
 * An exception in a unikernel is a bug with nowhere to go: print what is
 * needed to find it (vector, error code, %rip, %cr2) and exit with
 * status 126 so the host sees a crash rather than a hang.
 */
#include "uk/include/uk.h"
#include "uk/vm/lapic.h"
#include "uk/vm/trap.h"

#define GATE_INT64	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define KERNEL_CS	0x08
#define EXIT_CRASH	126

struct idt_gate {
	uint16_t	off_lo;
	uint16_t	sel;
	uint8_t		ist;
	uint8_t		type;
	uint16_t	off_mid;
	uint32_t	off_hi;
	uint32_t	zero;
} __attribute__((packed));

struct idt_ptr {
	uint16_t	limit;
	uint64_t	base;
} __attribute__((packed));

extern const uint64_t isr_table[TRAP_IRQ_BASE + TRAP_NIRQ];
extern const uint64_t isr_spurious;

static struct idt_gate	idt[256] __attribute__((aligned(16)));
static struct {
	trap_fn	*fn;
	void	*arg;
} handlers[TRAP_NIRQ];

static void
set_gate(unsigned vec, uint64_t addr)
{
	struct idt_gate	*g = &idt[vec];

	g->off_lo = (uint16_t)addr;
	g->sel = KERNEL_CS;
	g->ist = 0;
	g->type = GATE_INT64;
	g->off_mid = (uint16_t)(addr >> 16);
	g->off_hi = (uint32_t)(addr >> 32);
	g->zero = 0;
}

void
trap_init(void)
{
	struct idt_ptr	 p;
	unsigned	 v;

	for (v = 0; v < TRAP_IRQ_BASE + TRAP_NIRQ; v++)
		set_gate(v, isr_table[v]);
	set_gate(TRAP_SPURIOUS, isr_spurious);
	p.limit = sizeof(idt) - 1;
	p.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(p));
}

void
trap_set_handler(unsigned vec, trap_fn *fn, void *arg)
{
	if (vec < TRAP_IRQ_BASE || vec >= TRAP_IRQ_BASE + TRAP_NIRQ)
		return;
	handlers[vec - TRAP_IRQ_BASE].fn = fn;
	handlers[vec - TRAP_IRQ_BASE].arg = arg;
}

static void __attribute__((noreturn))
crash(const struct trap_frame *tf)
{
	uint64_t	 cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	uk_printf("uk: exception %lu error 0x%lx at rip 0x%lx cr2 0x%lx "
	    "rsp 0x%lx\n", (unsigned long)tf->vector, (unsigned long)tf->error,
	    (unsigned long)tf->rip, (unsigned long)cr2,
	    (unsigned long)tf->rsp);
	uk_exit(EXIT_CRASH);
}

void
trap_dispatch(struct trap_frame *tf)
{
	unsigned	 i;

	if (tf->vector < TRAP_IRQ_BASE)
		crash(tf);
	if (tf->vector == TRAP_SPURIOUS)
		return;			/* no EOI for spurious interrupts */
	i = (unsigned)tf->vector - TRAP_IRQ_BASE;
	if (i < TRAP_NIRQ && handlers[i].fn != NULL)
		handlers[i].fn(handlers[i].arg);
	lapic_eoi();
}
