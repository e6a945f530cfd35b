/*
 * clock.h - the monotonic clock behind uk_clock_ns() and timed wake-ups.
 *
 * Under KVM the clock is kvmclock. Otherwise (TCG: no frequency CPUID
 * leaf, no invariant-TSC bit) the TSC is calibrated against the LAPIC
 * timer: clock_start() takes the first sample, the caller does other
 * boot work, clock_calibrate() takes the second once at least
 * CLOCK_CAL_NS have passed. uk_clock_ns() is valid after that, and
 * counts from the PVH entry's TSC reading (kvmclock too, on its scale).
 */
#ifndef UK_VM_CLOCK_H
#define UK_VM_CLOCK_H

#include <stdint.h>

#define CLOCK_CAL_NS	1000000ULL	/* first calibration window, 1 ms */
#define CLOCK_VECTOR	32		/* LAPIC timer interrupt */

void		clock_start(void);
void		clock_calibrate(void);
/* TSC frequency in Hz (0 with kvmclock), and the clock's name. */
uint64_t	clock_tsc_hz(void);
const char	*clock_source(void);
/* Program one LAPIC timer interrupt at DEADLINE (uk_clock_ns time), at
 * most ~4.29 s ahead (the caller re-arms); UINT64_MAX disarms. */
void		clock_wake_at(uint64_t deadline);

#endif
