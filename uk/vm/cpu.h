/*
 * cpu.h - x86-64 instructions the vm runtime needs, as inline functions:
 * port I/O, MMIO, MSRs, CPUID, the TSC and interrupt control.
 */
#ifndef UK_VM_CPU_H
#define UK_VM_CPU_H

#include <stdint.h>

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
	uint8_t	 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* MMIO: volatile accesses of the exact width, which the device needs. */
static inline uint32_t
mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void
mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint8_t
mmio_read8(uintptr_t addr)
{
	return *(volatile uint8_t *)addr;
}

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t
rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void
wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
	    "d"((uint32_t)(v >> 32)));
}

static inline void
cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]),
	    "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* Compiler-only barrier: x86 keeps stores in order and loads in order. */
static inline void
barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

/* Full fence, for a store that must be visible before a later load. */
static inline void
mfence(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

/*
 * Sleep until an interrupt. The runtime runs with IF=0 everywhere else,
 * so handlers never interrupt C code; "sti; hlt" is atomic (the STI
 * shadow), so an interrupt pending before the sti still wakes the hlt.
 */
static inline void
cpu_idle(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static inline void __attribute__((noreturn))
cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
