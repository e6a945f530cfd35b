/*
 * trap.h - the IDT: exceptions end the kernel with a register dump;
 * vectors TRAP_IRQ_BASE.. are for the LAPIC timer and device interrupts.
 *
 * Handlers run only while the CPU sits in cpu_idle() (IF=0 elsewhere), so
 * they may touch driver state without locks; they should still be short:
 * acknowledge the device and return, the main loop does the work.
 */
#ifndef UK_VM_TRAP_H
#define UK_VM_TRAP_H

#include <stdint.h>

#define TRAP_IRQ_BASE	32	/* first vector for interrupts */
#define TRAP_NIRQ	16	/* vectors 32..47 */
#define TRAP_SPURIOUS	255	/* LAPIC spurious vector (no EOI) */

struct trap_frame {
	uint64_t	r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t	rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t	vector, error;
	uint64_t	rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

typedef void trap_fn(void *arg);

void	trap_init(void);
/* Run FN(ARG) on interrupt vector VEC (TRAP_IRQ_BASE..+TRAP_NIRQ-1);
 * the dispatcher sends the LAPIC EOI after it returns. */
void	trap_set_handler(unsigned vec, trap_fn *fn, void *arg);
/* Called from isr.S. */
void	trap_dispatch(struct trap_frame *tf);

#endif
