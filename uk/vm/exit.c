/*
 * exit.c - uk_exit through QEMU's isa-debug-exit device (port 0xf4).
 *
 * QEMU then exits with status (STATUS << 1) | 1: 0 becomes 1, 1 becomes
 * 3; the host decodes it. Without the device the write is ignored and the
 * guest halts for good with interrupts off (the host must kill it).
 */
#include "uk/include/uk.h"
#include "uk/vm/cpu.h"

#define DEBUG_EXIT_PORT	0xf4

void
uk_exit(int status)
{
	uk_printf("uk: exit %d\n", status);
	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	cpu_halt_forever();
}
