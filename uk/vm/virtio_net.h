/*
 * virtio_net.h - the virtio network device on virtio-mmio.
 */
#ifndef UK_VM_VIRTIO_NET_H
#define UK_VM_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "uk/vm/virtio_mmio.h"

#define VNET_QSIZE	64	/* RX and TX entries */
#define VNET_BUFSZ	2048	/* header + 1514-byte frame, rounded */

struct vnet {
	struct vmmio	 dev;
	struct virtq	 rx, tx;
	size_t		 hdrlen;	/* virtio_net_hdr: 10 legacy, 12 modern */
	uint8_t		 mac[6];
	uint16_t	 tx_free[VNET_QSIZE];	/* stack of free TX descriptors */
	uint16_t	 tx_nfree;
	int		 tx_irq;	/* TX completions interrupt (ring full) */
};

/* Sets up the device probed in V->dev. 0 or UK_EINVAL. */
int	vnet_init(struct vnet *v);
/* Queues one frame; 0, or UK_EAGAIN when the TX ring is full (a TX
 * interrupt will then wake the idle loop when space frees up). */
int	vnet_send(struct vnet *v, const void *frame, size_t len);
/* Hands up to MAX received frames to FN; returns how many. */
int	vnet_recv(struct vnet *v, void (*fn)(void *arg, const void *frame,
	    size_t len), void *arg, int max);
/* The interrupt handler (trap_fn). */
void	vnet_irq(void *arg);

#endif
