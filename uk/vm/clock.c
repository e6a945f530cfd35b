/*
 * clock.c - monotonic nanoseconds from the TSC, scaled by a factor found
 * at boot (kvmclock's when KVM offers it, else our own calibration).
 *
 * Calibration: the LAPIC timer runs at a known 1 GHz in QEMU, the TSC at
 * an unknown rate (the host's, under TCG). Two (TSC, LAPIC count) samples
 * give the ratio. TCG can stall the vCPU between any two instructions for
 * 100+ us, so each sample is a TSC read, a LAPIC read and a TSC read,
 * retried until the two TSC reads are close: the error is then the
 * sample width over the window, not the stall.
 *
 * Boot cannot afford a long window, so it is done twice: a short one
 * (CLOCK_CAL_NS, overlapping device set-up) gives a rate good to ~0.1%;
 * the first time the LAPIC timer is needed for a wake-up, the whole span
 * since clock_start() (the app's start-up included, typically several
 * ms) gives the final rate, and the clock is rebased there so it stays
 * continuous. Measured on a 2596.15 MHz host: 2596.16-2596.22 MHz.
 */
#include "uk/include/uk.h"
#include "uk/vm/boot.h"
#include "uk/vm/clock.h"
#include "uk/vm/cpu.h"
#include "uk/vm/lapic.h"

#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define SAMPLE_TRIES		64
#define SAMPLE_GOOD		2000	/* TSC ticks: a tight sample */

/* Linux Documentation/virt/kvm/x86/msr.rst, struct pvclock_vcpu_time_info */
struct pvclock {
	uint32_t	version;
	uint32_t	pad0;
	uint64_t	tsc_timestamp;
	uint64_t	system_time;
	uint32_t	tsc_to_system_mul;
	int8_t		tsc_shift;
	uint8_t		flags;
	uint8_t		pad[2];
};

static volatile struct pvclock	pvclock __attribute__((aligned(64)));
static int			use_kvmclock;
static uint64_t			kvm_origin;	/* kvmclock ns at entry */
static uint64_t			tsc_hz;
static uint64_t			mult;		/* ns per TSC tick << 32 */
static uint64_t			base_tsc;	/* ns = base_ns + scaled TSC */
static uint64_t			base_ns;
static uint64_t			last_ns;
static uint64_t			cal_tsc;	/* first calibration sample */
static uint32_t			cal_lapic;
static int			refine_pending;

static uint64_t
scale(uint64_t ticks, uint32_t mul32)
{
	return (uint64_t)(((unsigned __int128)ticks * mul32) >> 32);
}

static int
kvmclock_present(void)
{
	uint32_t	 r[4];

	cpuid(1, r);
	if ((r[2] & (1u << 31)) == 0)		/* no hypervisor */
		return 0;
	cpuid(0x40000000, r);
	if (r[0] < 0x40000001 || r[1] != 0x4b4d564b ||	/* "KVMKVMKVM\0\0\0" */
	    r[2] != 0x564b4d56 || r[3] != 0x0000004d)
		return 0;
	cpuid(0x40000001, r);
	return (r[0] & KVM_FEATURE_CLOCKSOURCE2) != 0;
}

/* TSC ticks to ns with kvmclock's factor (read inside a version loop). */
static uint64_t
pv_scale(uint64_t d)
{
	int8_t	 shift = pvclock.tsc_shift;

	if (shift < 0)
		d >>= -shift;
	else
		d <<= shift;
	return scale(d, pvclock.tsc_to_system_mul);
}

/* kvmclock's ns; *SINCE_ENTRY (if not NULL) gets the ns since the PVH
 * entry's TSC reading, on the same scale. */
static uint64_t
kvmclock_ns(uint64_t *since_entry)
{
	uint32_t	 v;
	uint64_t	 tsc, ns;

	do {
		v = pvclock.version;
		barrier();
		__asm__ volatile("lfence");
		tsc = rdtsc();
		ns = pvclock.system_time + pv_scale(tsc - pvclock.tsc_timestamp);
		if (since_entry != NULL)
			*since_entry = pv_scale(tsc - vm_boot_tsc);
		barrier();
	} while ((v & 1) != 0 || v != pvclock.version);
	return ns;
}

static void
sample(uint64_t *tsc, uint32_t *lapic)
{
	uint64_t	 t0, t1, best = UINT64_MAX;
	uint32_t	 l;
	int		 i;

	for (i = 0; i < SAMPLE_TRIES && best > SAMPLE_GOOD; i++) {
		t0 = rdtsc();
		l = lapic_timer_count();
		t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + best / 2;
			*lapic = l;
		}
	}
}

void
clock_start(void)
{
	uint64_t	 since;

	if (kvmclock_present()) {
		wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)&pvclock | 1);
		use_kvmclock = 1;
		/* Count from the PVH entry, as with the TSC source. */
		kvm_origin = kvmclock_ns(&since);
		kvm_origin = kvm_origin > since ? kvm_origin - since : 0;
		return;
	}
	lapic_timer_free_run();
	sample(&cal_tsc, &cal_lapic);
}

/* Rate from the first sample to a new one; 0 if the LAPIC may have
 * wrapped (32 bits at 1 GHz: 4.29 s). */
static int
measure(uint64_t *tsc)
{
	uint64_t	 ns;
	uint32_t	 lapic;

	sample(tsc, &lapic);
	ns = (uint64_t)(cal_lapic - lapic) * LAPIC_NS_PER_TICK;
	if (ns == 0 || *tsc <= cal_tsc ||
	    (mult != 0 && ((*tsc - cal_tsc) * (unsigned __int128)mult >> 32) >
	    4000000000ULL))
		return 0;
	mult = (ns << 32) / (*tsc - cal_tsc);
	tsc_hz = (*tsc - cal_tsc) * 1000000000ULL / ns;
	return 1;
}

void
clock_calibrate(void)
{
	uint64_t	 tsc;

	if (use_kvmclock)
		return;
	while ((uint64_t)(cal_lapic - lapic_timer_count()) * LAPIC_NS_PER_TICK <
	    CLOCK_CAL_NS)
		;
	base_tsc = vm_boot_tsc;
	base_ns = 0;
	refine_pending = measure(&tsc);
}

/* The longer measurement; must run before the LAPIC timer is re-armed. */
static void
refine(void)
{
	uint64_t	 tsc, old = mult;

	refine_pending = 0;
	if (measure(&tsc)) {
		/* Continuous at TSC: the old scale up to it, the new after. */
		base_ns += (uint64_t)(((unsigned __int128)(tsc - base_tsc) *
		    old) >> 32);
		base_tsc = tsc;
	}
}

uint64_t
clock_tsc_hz(void)
{
	return tsc_hz;
}

const char *
clock_source(void)
{
	return use_kvmclock ? "kvmclock" : "tsc";
}

uint64_t
uk_clock_ns(void)
{
	uint64_t	 ns;

	if (use_kvmclock)
		ns = kvmclock_ns(NULL) - kvm_origin;
	else
		ns = base_ns + (uint64_t)(((unsigned __int128)(rdtsc() -
		    base_tsc) * mult) >> 32);
	/* Never backwards, even across a TSC hiccup or a kvmclock update. */
	if (ns < last_ns)
		ns = last_ns;
	last_ns = ns;
	return ns;
}

void
clock_wake_at(uint64_t deadline)
{
	uint64_t	 now, ticks;

	if (refine_pending)
		refine();
	if (deadline == UINT64_MAX) {
		lapic_timer_oneshot(CLOCK_VECTOR, 0);
		return;
	}
	now = uk_clock_ns();
	ticks = deadline > now ? (deadline - now) / LAPIC_NS_PER_TICK : 0;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffULL)
		ticks = 0xffffffffULL;
	lapic_timer_oneshot(CLOCK_VECTOR, (uint32_t)ticks);
}
