/*
 * ioapic.h - routing a device's interrupt line (GSI) to a vector.
 */
#ifndef UK_VM_IOAPIC_H
#define UK_VM_IOAPIC_H

#include <stdint.h>

/* Level-triggered, active high, to the boot CPU: how microvm wires its
 * virtio-mmio transports. 0, or UK_ENOENT if no IOAPIC has that pin. */
int	ioapic_route(uint32_t gsi, unsigned vector);

#endif
