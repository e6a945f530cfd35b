/*
 * start.c - the kernel's C entry: bring up console, traps, clock, heap
 * and network in that order, then run the app.
 *
 * Under TCG every instruction's first execution pays for translation, so
 * the path to "uk: ready" runs as little distinct code as it can: no
 * printf on success, the diagnostics come after readiness.
 */
#include "uk/include/uk.h"
#include "uk/vm/boot.h"
#include "uk/vm/clock.h"
#include "uk/vm/cmdline.h"
#include "uk/vm/heap.h"
#include "uk/vm/lapic.h"
#include "uk/vm/netif.h"
#include "uk/vm/pvh.h"
#include "uk/vm/serial.h"
#include "uk/vm/start.h"
#include "uk/vm/trap.h"

#define EXIT_BOOT	125	/* boot failed before the app ran */
#define RAM_LIMIT	(4ULL << 30)	/* boot.S maps the first 4 GiB */

static char		cmdline_buf[2048];
static struct cmdline	cl;
static uint64_t		boot_done_ns;

static void
setup_heap(uint32_t start_info)
{
	uint64_t	 lo, hi, end = (uint64_t)(uintptr_t)__image_end;

	if (pvh_ram_around(start_info, end, &lo, &hi) < 0) {
		uk_printf("uk: no RAM map in start_info\n");
		uk_exit(EXIT_BOOT);
	}
	if (hi > RAM_LIMIT)
		hi = RAM_LIMIT;
	heap_init((uintptr_t)end, (uintptr_t)hi);
}

void
start_report(void)
{
	/* After "uk: ready", not before: under TCG the first run of the
	 * formatter costs ~0.6 ms of translation, and these lines are
	 * for people, not for the host waiting on the console. */
	uk_printf("uk: kernel up %lu us after entry, app ready at %lu us; "
	    "%s clock", (unsigned long)(boot_done_ns / 1000),
	    (unsigned long)(uk_clock_ns() / 1000), clock_source());
	if (clock_tsc_hz() != 0)
		uk_printf(" (tsc %lu kHz)", (unsigned long)(clock_tsc_hz() / 1000));
	uk_printf(", heap %lu KiB\n", (unsigned long)(heap_free_bytes() / 1024));
	netif_describe();
}

void
vm_start(uint32_t start_info)
{
	serial_init();
	trap_init();
	lapic_init();
	clock_start();
	if (pvh_cmdline(start_info, cmdline_buf, sizeof(cmdline_buf)) < 0) {
		uk_printf("uk: not booted through PVH\n");
		uk_exit(EXIT_BOOT);
	}
	setup_heap(start_info);
	if (cmdline_parse(cmdline_buf, uk_vm_app_name, &cl) < 0) {
		uk_printf("uk: bad kernel command line\n");
		uk_exit(EXIT_BOOT);
	}
	/* NIC set-up runs inside the clock's calibration window. */
	netif_init(&cl);
	clock_calibrate();
	boot_done_ns = uk_clock_ns();
	uk_exit(uk_main(cl.argc, cl.argv));
}
