/*
 * virtio_net.c - virtio-net (virtio 1.2 section 5.1) with the smallest
 * feature set that works: MAC only (plus VERSION_1 on modern, ANY_LAYOUT
 * on legacy so header and frame may share a descriptor). No offloads, so
 * the stack checksums everything itself and RX buffers are one page-half
 * each (header + 1514 bytes) without MRG_RXBUF.
 *
 * RX: all VNET_QSIZE descriptors permanently own one buffer each and go
 * back to the available ring as soon as the frame was handed up. TX: a
 * free stack of descriptors, each with its own buffer the frame is copied
 * into; completions are reaped lazily on the next send. TX interrupts
 * stay off except while the ring is full, so a transfer does not wake the
 * guest once per frame.
 */
#include "uk/include/uk.h"
#include "uk/vm/cpu.h"
#include "uk/vm/virtio_net.h"

#define VIRTIO_NET_F_MAC	(1ULL << 5)
#define VIRTIO_F_ANY_LAYOUT	(1ULL << 27)	/* legacy only */
#define HDR_LEGACY		10	/* without MRG_RXBUF */
#define HDR_MODERN		12	/* num_buffers always present */
#define QRX			0
#define QTX			1

static uint8_t	rxq_mem[VIRTQ_BYTES(VNET_QSIZE)] __attribute__((aligned(4096)));
static uint8_t	txq_mem[VIRTQ_BYTES(VNET_QSIZE)] __attribute__((aligned(4096)));
/* Buffers are not in .bss: boot would spend time clearing 256 KiB that
 * the device and the copy-in overwrite anyway. */
static uint8_t	rx_buf[VNET_QSIZE][VNET_BUFSZ]
    __attribute__((section(".noinit"), aligned(4096)));
static uint8_t	tx_buf[VNET_QSIZE][VNET_BUFSZ]
    __attribute__((section(".noinit"), aligned(4096)));

int
vnet_init(struct vnet *v)
{
	uint64_t	 got;
	uint16_t	 i;
	int		 r;

	r = vmmio_begin(&v->dev, VIRTIO_NET_F_MAC | VIRTIO_F_ANY_LAYOUT, &got);
	if (r < 0 || (got & VIRTIO_NET_F_MAC) == 0)
		goto fail;
	v->hdrlen = v->dev.version == 2 ? HDR_MODERN : HDR_LEGACY;
	for (i = 0; i < 6; i++)
		v->mac[i] = vmmio_config8(&v->dev, i);
	if (vmmio_queue(&v->dev, &v->rx, QRX, rxq_mem, VNET_QSIZE) < 0 ||
	    vmmio_queue(&v->dev, &v->tx, QTX, txq_mem, VNET_QSIZE) < 0)
		goto fail;
	for (i = 0; i < VNET_QSIZE; i++) {
		v->rx.desc[i].addr = (uint64_t)(uintptr_t)rx_buf[i];
		v->rx.desc[i].len = VNET_BUFSZ;
		v->rx.desc[i].flags = VIRTQ_DESC_F_WRITE;
		vq_push(&v->rx, i);
		v->tx.desc[i].addr = (uint64_t)(uintptr_t)tx_buf[i];
		v->tx_free[i] = i;
	}
	v->tx_nfree = VNET_QSIZE;
	vq_interrupts(&v->tx, 0);
	v->tx_irq = 0;
	/*
	 * Frames the host queued on the tap before this point are delivered
	 * from now on, except the very first one: QEMU 7.2 reads one frame
	 * from the tap early, and flushes it into a device that does not yet
	 * count as DRIVER_OK, which drops it (virtio_net_set_status runs
	 * before the status is stored). No order of guest writes avoids it.
	 * A host that holds a client's SYN in the tap for us (jitsu) must
	 * queue a sacrificial frame first, or the client retransmits its
	 * SYN a second later.
	 */
	vmmio_driver_ok(&v->dev);
	vq_kick(&v->dev, &v->rx);
	return 0;
fail:
	vmmio_fail(&v->dev);
	return UK_EINVAL;
}

static void
reap_tx(struct vnet *v)
{
	uint16_t	 id;
	uint32_t	 len;

	while (vq_pop(&v->tx, &id, &len))
		if (id < VNET_QSIZE && v->tx_nfree < VNET_QSIZE)
			v->tx_free[v->tx_nfree++] = id;
}

int
vnet_send(struct vnet *v, const void *frame, size_t len)
{
	uint16_t	 id;

	if (len > VNET_BUFSZ - v->hdrlen)
		return UK_EINVAL;
	reap_tx(v);
	if (v->tx_nfree == 0) {
		if (!v->tx_irq) {
			vq_interrupts(&v->tx, 1);
			v->tx_irq = 1;
			reap_tx(v);		/* a completion may have raced */
		}
		if (v->tx_nfree == 0)
			return UK_EAGAIN;
	}
	if (v->tx_irq && v->tx_nfree > VNET_QSIZE / 2) {
		vq_interrupts(&v->tx, 0);
		v->tx_irq = 0;
	}
	id = v->tx_free[--v->tx_nfree];
	/* All-zero header: no checksum offload, no GSO, num_buffers 0. */
	__builtin_memset(tx_buf[id], 0, v->hdrlen);
	__builtin_memcpy(tx_buf[id] + v->hdrlen, frame, len);
	v->tx.desc[id].len = (uint32_t)(v->hdrlen + len);
	v->tx.desc[id].flags = 0;
	vq_push(&v->tx, id);
	vq_kick(&v->dev, &v->tx);
	return 0;
}

int
vnet_recv(struct vnet *v, void (*fn)(void *, const void *, size_t),
    void *arg, int max)
{
	uint16_t	 id;
	uint32_t	 len;
	int		 n = 0;

	while (n < max && vq_pop(&v->rx, &id, &len)) {
		if (id >= VNET_QSIZE)
			continue;		/* a broken device: skip */
		if (len > v->hdrlen && len <= VNET_BUFSZ)
			fn(arg, rx_buf[id] + v->hdrlen, len - v->hdrlen);
		vq_push(&v->rx, id);
		n++;
	}
	vq_kick(&v->dev, &v->rx);
	return n;
}

void
vnet_irq(void *arg)
{
	struct vnet	*v = arg;

	(void)vmmio_ack_irq(&v->dev);
}
