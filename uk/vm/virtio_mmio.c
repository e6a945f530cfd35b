/*
 * virtio_mmio.c - virtio-mmio register access and split virtqueues.
 *
 * One code path for both interface versions: queues always use the
 * legacy layout (descriptors, available ring, used ring on the next
 * page), which a modern device accepts as three addresses. The legacy
 * differences are GuestPageSize (mandatory, and forgetting it fails
 * silently: status reads fine, no frame ever arrives), QueueAlign and
 * QueuePFN instead of the address registers, and no FEATURES_OK step.
 */
#include "uk/include/uk.h"
#include "uk/vm/cpu.h"
#include "uk/vm/virtio_mmio.h"

#define R_MAGIC		0x000
#define R_VERSION	0x004
#define R_DEVICE_ID	0x008
#define R_DEV_FEAT	0x010
#define R_DEV_FEAT_SEL	0x014
#define R_DRV_FEAT	0x020
#define R_DRV_FEAT_SEL	0x024
#define R_GUEST_PAGE	0x028		/* legacy */
#define R_QUEUE_SEL	0x030
#define R_QUEUE_NUM_MAX	0x034
#define R_QUEUE_NUM	0x038
#define R_QUEUE_ALIGN	0x03c		/* legacy */
#define R_QUEUE_PFN	0x040		/* legacy */
#define R_QUEUE_READY	0x044		/* modern */
#define R_QUEUE_NOTIFY	0x050
#define R_IRQ_STATUS	0x060
#define R_IRQ_ACK	0x064
#define R_STATUS	0x070
#define R_DESC_LO	0x080
#define R_DESC_HI	0x084
#define R_DRIVER_LO	0x090
#define R_DRIVER_HI	0x094
#define R_DEVICE_LO	0x0a0
#define R_DEVICE_HI	0x0a4
#define R_CONFIG	0x100

#define S_ACKNOWLEDGE	1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8
#define S_FAILED	128

#define PAGE		4096
#define USED_F_NO_NOTIFY	1
#define AVAIL_F_NO_INTERRUPT	1

static uint32_t
rd(struct vmmio *d, unsigned reg)
{
	return mmio_read32(d->base + reg);
}

static void
wr(struct vmmio *d, unsigned reg, uint32_t v)
{
	mmio_write32(d->base + reg, v);
}

int
vmmio_probe(struct vmmio *d, uintptr_t base)
{
	d->base = base;
	if (rd(d, R_MAGIC) != VIRTIO_MAGIC)
		return UK_ENOENT;
	d->version = rd(d, R_VERSION);
	d->device_id = rd(d, R_DEVICE_ID);
	if ((d->version != 1 && d->version != 2) || d->device_id == 0)
		return UK_ENOENT;
	return 0;
}

int
vmmio_begin(struct vmmio *d, uint64_t want, uint64_t *got)
{
	uint64_t	 offered;

	wr(d, R_STATUS, 0);			/* reset */
	wr(d, R_STATUS, S_ACKNOWLEDGE);
	wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER);
	wr(d, R_DEV_FEAT_SEL, 0);
	offered = rd(d, R_DEV_FEAT);
	if (d->version == 2) {
		wr(d, R_DEV_FEAT_SEL, 1);
		offered |= (uint64_t)rd(d, R_DEV_FEAT) << 32;
		want |= VIRTIO_F_VERSION_1;
		if ((offered & VIRTIO_F_VERSION_1) == 0)
			return UK_EINVAL;
	} else
		want &= ~VIRTIO_F_VERSION_1;
	*got = want & offered;
	wr(d, R_DRV_FEAT_SEL, 0);
	wr(d, R_DRV_FEAT, (uint32_t)*got);
	if (d->version == 1) {
		wr(d, R_GUEST_PAGE, PAGE);
		return 0;
	}
	wr(d, R_DRV_FEAT_SEL, 1);
	wr(d, R_DRV_FEAT, (uint32_t)(*got >> 32));
	wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
	if ((rd(d, R_STATUS) & S_FEATURES_OK) == 0)
		return UK_EINVAL;
	return 0;
}

int
vmmio_queue(struct vmmio *d, struct virtq *q, uint16_t index, void *mem,
    uint16_t num)
{
	uintptr_t	 m = (uintptr_t)mem;
	uintptr_t	 used = (m + 16 * num + 6 + 2 * num + PAGE - 1) &
			    ~(uintptr_t)(PAGE - 1);

	wr(d, R_QUEUE_SEL, index);
	if (rd(d, R_QUEUE_NUM_MAX) < num)
		return UK_EINVAL;
	if ((d->version == 2 ? rd(d, R_QUEUE_READY) : rd(d, R_QUEUE_PFN)) != 0)
		return UK_EINVAL;		/* already in use */
	q->num = num;
	q->index = index;
	q->last_used = 0;
	q->avail_idx = 0;
	q->desc = (volatile struct virtq_desc *)m;
	q->avail = (volatile struct virtq_avail *)(m + 16 * num);
	q->used = (volatile struct virtq_used *)used;
	wr(d, R_QUEUE_NUM, num);
	if (d->version == 1) {
		wr(d, R_QUEUE_ALIGN, PAGE);
		wr(d, R_QUEUE_PFN, (uint32_t)(m / PAGE));
		return 0;
	}
	wr(d, R_DESC_LO, (uint32_t)m);
	wr(d, R_DESC_HI, (uint32_t)((uint64_t)m >> 32));
	wr(d, R_DRIVER_LO, (uint32_t)(m + 16 * num));
	wr(d, R_DRIVER_HI, (uint32_t)((uint64_t)(m + 16 * num) >> 32));
	wr(d, R_DEVICE_LO, (uint32_t)used);
	wr(d, R_DEVICE_HI, (uint32_t)((uint64_t)used >> 32));
	wr(d, R_QUEUE_READY, 1);
	return 0;
}

void
vmmio_driver_ok(struct vmmio *d)
{
	wr(d, R_STATUS, rd(d, R_STATUS) | S_DRIVER_OK);
}

void
vmmio_fail(struct vmmio *d)
{
	wr(d, R_STATUS, rd(d, R_STATUS) | S_FAILED);
}

uint8_t
vmmio_config8(struct vmmio *d, unsigned off)
{
	return mmio_read8(d->base + R_CONFIG + off);
}

uint32_t
vmmio_ack_irq(struct vmmio *d)
{
	uint32_t	 s = rd(d, R_IRQ_STATUS);

	/* Mandatory: the line is level-triggered and stays up until ACKed. */
	if (s != 0)
		wr(d, R_IRQ_ACK, s);
	return s;
}

void
vq_push(struct virtq *q, uint16_t id)
{
	q->avail->ring[q->avail_idx % q->num] = id;
	q->avail_idx++;
}

void
vq_kick(struct vmmio *d, struct virtq *q)
{
	if (q->avail->idx == q->avail_idx)
		return;
	barrier();				/* ring entries before idx */
	q->avail->idx = q->avail_idx;
	/* The store of idx must be visible before we read the device's
	 * flag, or we could skip a notification it needs. */
	mfence();
	if ((q->used->flags & USED_F_NO_NOTIFY) == 0)
		wr(d, R_QUEUE_NOTIFY, q->index);
}

int
vq_pop(struct virtq *q, uint16_t *id, uint32_t *len)
{
	volatile struct virtq_used_elem	*e;

	if (q->last_used == q->used->idx)
		return 0;
	barrier();				/* idx before the entry */
	e = &q->used->ring[q->last_used % q->num];
	*id = (uint16_t)e->id;
	*len = e->len;
	q->last_used++;
	return 1;
}

void
vq_interrupts(struct virtq *q, int on)
{
	q->avail->flags = on ? 0 : AVAIL_F_NO_INTERRUPT;
}
