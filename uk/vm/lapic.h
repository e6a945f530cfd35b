/*
 * lapic.h - the local APIC: enable, end-of-interrupt, and its timer.
 *
 * The timer counts at 1 GHz in QEMU (TCG and KVM's in-kernel LAPIC, so
 * also Firecracker) with divide-by-1; clock.c calibrates the TSC against
 * it and uses it for wake-ups.
 */
#ifndef UK_VM_LAPIC_H
#define UK_VM_LAPIC_H

#include <stdint.h>

#define LAPIC_NS_PER_TICK	1	/* 1 GHz: assumed, see above */

void		lapic_init(void);
void		lapic_eoi(void);
/* Count down from 0xffffffff without interrupting (for calibration). */
void		lapic_timer_free_run(void);
uint32_t	lapic_timer_count(void);
/* One interrupt on vector VEC after TICKS (0 cancels). */
void		lapic_timer_oneshot(unsigned vec, uint32_t ticks);

#endif
