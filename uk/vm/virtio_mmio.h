/*
 * virtio_mmio.h - the virtio-mmio transport (virtio 1.2 section 4.2), in
 * both its modern (Version 2) and legacy (Version 1) forms, and split
 * virtqueues (section 2.7) laid out so that either form can use them.
 *
 * QEMU 7.2's microvm offers legacy by default (virtio-mmio.force-legacy
 * is on); Firecracker and QEMU with force-legacy=false offer modern.
 */
#ifndef UK_VM_VIRTIO_MMIO_H
#define UK_VM_VIRTIO_MMIO_H

#include <stdint.h>

#define VIRTIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_ID_NET		1
#define VIRTIO_F_VERSION_1	(1ULL << 32)
#define VIRTQ_DESC_F_WRITE	2

/* Bytes of queue memory for NUM entries: descriptors and available ring,
 * then the used ring on the next page (the legacy layout, page-aligned). */
#define VIRTQ_BYTES(num)						\
	((((16 * (num) + 6 + 2 * (num)) + 4095) & ~4095) +		\
	(((6 + 8 * (num)) + 4095) & ~4095))

struct virtq_desc {
	uint64_t	addr;
	uint32_t	len;
	uint16_t	flags;
	uint16_t	next;
};

struct virtq_avail {
	uint16_t	flags;
	uint16_t	idx;
	uint16_t	ring[];
};

struct virtq_used_elem {
	uint32_t	id;
	uint32_t	len;
};

struct virtq_used {
	uint16_t		flags;
	uint16_t		idx;
	struct virtq_used_elem	ring[];
};

struct virtq {
	uint16_t		 num;
	uint16_t		 index;		/* queue number on the device */
	uint16_t		 last_used;
	uint16_t		 avail_idx;	/* pushed, maybe not published */
	volatile struct virtq_desc	*desc;
	volatile struct virtq_avail	*avail;
	volatile struct virtq_used	*used;
};

struct vmmio {
	uintptr_t	base;
	uint32_t	version;	/* 1 legacy, 2 modern */
	uint32_t	device_id;
};

/* Reads the identification registers at BASE; 0 if a device is there
 * (DeviceID 0 marks an empty microvm slot: UK_ENOENT). */
int		vmmio_probe(struct vmmio *d, uintptr_t base);
/* Reset, ACKNOWLEDGE, DRIVER, features: accepts WANT & offered (plus
 * VERSION_1 on modern, which it requires). Returns the accepted set in
 * *GOT; 0 or UK_EINVAL. */
int		vmmio_begin(struct vmmio *d, uint64_t want, uint64_t *got);
/* Sets up queue INDEX with NUM entries in MEM (page-aligned,
 * VIRTQ_BYTES(NUM) bytes, zeroed). 0 or UK_EINVAL. */
int		vmmio_queue(struct vmmio *d, struct virtq *q, uint16_t index,
		    void *mem, uint16_t num);
void		vmmio_driver_ok(struct vmmio *d);
void		vmmio_fail(struct vmmio *d);
uint8_t		vmmio_config8(struct vmmio *d, unsigned off);
/* Reads and acknowledges the interrupt status (from the handler). */
uint32_t	vmmio_ack_irq(struct vmmio *d);

/* Makes descriptor ID available; the device sees it after vq_kick(). */
void		vq_push(struct virtq *q, uint16_t id);
/* Publishes pushed descriptors and notifies the device if it asks to be. */
void		vq_kick(struct vmmio *d, struct virtq *q);
/* Next used descriptor: 1 with *ID, *LEN set, or 0 if none. */
int		vq_pop(struct virtq *q, uint16_t *id, uint32_t *len);
/* Whether the device should interrupt when it uses buffers. */
void		vq_interrupts(struct virtq *q, int on);

#endif
