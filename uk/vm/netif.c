/*
 * netif.c - device discovery and the glue between virtio-net and uk/net.
 *
 * Discovery: microvm with acpi=off names each transport on the command
 * line (virtio_mmio.device=512@0xfeb00e00:12); otherwise the slots at
 * 0xfeb00000 + i * 0x200 are scanned, highest first (QEMU fills them from
 * the top, so the first -device is found first), and the GSI follows
 * microvm's wiring: 5 + i with 8 slots, 24 + i with 24 (ACPI machines).
 */
#include "uk/include/uk.h"
#include "uk/vm/cpu.h"
#include "uk/vm/ioapic.h"
#include "uk/vm/netif.h"
#include "uk/vm/trap.h"
#include "uk/vm/virtio_net.h"

#define MMIO_SLOT_BASE	0xfeb00000UL
#define MMIO_SLOT_SIZE	0x200UL
#define MMIO_SLOTS_MAX	24
#define RX_BATCH	32	/* frames per vnet_recv call */

/* Not zeroed at boot: net_init clears the control state it needs, and
 * the 1.3 MiB of connection buffers need no clearing. */
struct net	netif_stack __attribute__((section(".noinit")));
static struct vnet	vnet;
static uint32_t		vnet_gsi;
static bool		up;

static int
tx(void *arg, const void *frame, size_t len)
{
	return vnet_send(arg, frame, len);
}

static void
rx(void *arg, const void *frame, size_t len)
{
	net_input(arg, frame, len, uk_clock_ns());
}

static bool
find_nic(const struct cmdline *cl)
{
	struct vmmio	 d;
	int		 i, slots = 8;

	for (i = 0; i < cl->ndev; i++)
		if (vmmio_probe(&d, (uintptr_t)cl->dev[i].base) == 0 &&
		    d.device_id == VIRTIO_ID_NET) {
			vnet.dev = d;
			vnet_gsi = cl->dev[i].irq;
			return true;
		}
	if (cl->ndev > 0)
		return false;
	/* A ninth transport (device or placeholder) means 24 of them. */
	if (mmio_read32(MMIO_SLOT_BASE + 8 * MMIO_SLOT_SIZE) == VIRTIO_MAGIC)
		slots = MMIO_SLOTS_MAX;
	for (i = slots - 1; i >= 0; i--)
		if (vmmio_probe(&d, MMIO_SLOT_BASE + (uintptr_t)i *
		    MMIO_SLOT_SIZE) == 0 && d.device_id == VIRTIO_ID_NET) {
			vnet.dev = d;
			vnet_gsi = (uint32_t)(slots == 8 ? 5 + i : 24 + i);
			return true;
		}
	return false;
}

static uint64_t
secret(void)
{
	uint32_t	 r[4];
	uint64_t	 v = rdtsc(), x = 0;
	uint8_t		 ok = 0;
	int		 i;

	/* RDRAND where the CPU has it (not TCG's default qemu64); the TSC
	 * at this point alone still varies by microseconds per boot. */
	cpuid(1, r);
	if (r[2] & (1u << 30))
		for (i = 0; i < 10 && !ok; i++)
			__asm__ volatile("rdrand %0; setc %1" : "=r"(x),
			    "=q"(ok) : : "cc");
	return ok ? v ^ x : v * 0x9e3779b97f4a7c15ULL;
}

void
netif_init(const struct cmdline *cl)
{
	struct net_config	 cfg;

	if (!cl->have_addr) {
		uk_printf("uk: no ip= on the command line: network off\n");
		return;
	}
	if (!find_nic(cl)) {
		uk_printf("uk: no virtio-net device: network off\n");
		return;
	}
	if (vnet_init(&vnet) < 0) {
		uk_printf("uk: virtio-net set-up failed: network off\n");
		return;
	}
	trap_set_handler(NETIF_VECTOR, vnet_irq, &vnet);
	if (ioapic_route(vnet_gsi, NETIF_VECTOR) < 0)
		uk_printf("uk: no IOAPIC pin for GSI %u\n", vnet_gsi);
	uk_memset(&cfg, 0, sizeof(cfg));
	uk_memcpy(cfg.mac, vnet.mac, 6);
	cfg.addr = cl->addr;
	cfg.netmask = cl->netmask;
	cfg.gateway = cl->gateway;
	cfg.secret = secret();
	net_init(&netif_stack, &cfg, tx, &vnet);
	up = true;
}

bool
netif_up(void)
{
	return up;
}

uint64_t
netif_pump(void)
{
	if (!up)
		return UINT64_MAX;
	while (vnet_recv(&vnet, rx, &netif_stack, RX_BATCH) == RX_BATCH)
		;
	return net_poll(&netif_stack, uk_clock_ns());
}

static void
ip_str(char *buf, size_t len, uint32_t a)
{
	uk_snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
}

void
netif_describe(void)
{
	const struct net_config	*c = &netif_stack.cfg;
	char			 a[16], g[16];
	int			 plen = 0;
	uint32_t		 m;

	if (!up)
		return;
	for (m = c->netmask; m != 0; m <<= 1)
		plen++;
	ip_str(a, sizeof(a), c->addr);
	ip_str(g, sizeof(g), c->gateway);
	uk_printf("uk: net %s/%d gw %s mac %02x:%02x:%02x:%02x:%02x:%02x "
	    "virtio-mmio v%u at 0x%lx irq %u\n", a, plen, g, c->mac[0],
	    c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5],
	    vnet.dev.version, (unsigned long)vnet.dev.base, vnet_gsi);
}
