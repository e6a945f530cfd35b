/* Unit tests of the frames jitsud looks at or makes on a VM's tap: what
 * wakes a VM (and that the kernel filter agrees, run here through a small
 * classic-BPF interpreter), the sacrificial frame, the resets. */
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "net/net.h"
#include "tests/lib/t.h"

static const uint8_t host_mac[6] = { 0x7a, 0x1f, 0x3b, 0x37, 0xb8, 0xe6 };
static const uint8_t guest_mac[6] = { 0x02, 0x6a, 0x0a, 0x4d, 0x00, 0x02 };

static uint16_t
g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
g32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Folded one's complement sum: 0 when a checksummed header is intact. */
static uint16_t
csum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += g16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
p16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
p32(uint8_t *p, uint32_t v)
{
	p16(p, (uint16_t)(v >> 16));
	p16(p + 2, (uint16_t)v);
}

/* Host (169.254.77.1:40000) -> guest (10.77.0.2:80): an IPv4 frame with
 * an L4 header of l4len bytes (TCP flags/seq/ack, or UDP), payload plen. */
static size_t
frame(uint8_t *f, int proto, uint8_t flags, uint32_t seq, uint32_t ack,
    size_t plen, int ihl_words)
{
	size_t ihl = (size_t)ihl_words * 4, l4 = proto == IPPROTO_TCP ? 20 : 8;
	uint8_t *ip = f + 14, *th = ip + ihl;
	size_t tot = ihl + l4 + plen;

	memset(f, 0, 14 + tot);
	memcpy(f, guest_mac, 6);
	memcpy(f + 6, host_mac, 6);
	p16(f + 12, 0x0800);
	ip[0] = (uint8_t)(0x40 | ihl_words);
	p16(ip + 2, (uint16_t)tot);
	p16(ip + 6, 0x4000);			/* DF */
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	p32(ip + 12, 0xa9fe4d01);
	p32(ip + 16, 0x0a4d0002);
	p16(ip + 10, csum(0, ip, ihl));
	p16(th, 40000);
	p16(th + 2, 80);
	if (proto == IPPROTO_TCP) {
		p32(th + 4, seq);
		p32(th + 8, ack);
		th[12] = 5 << 4;
		th[13] = flags;
	} else
		p16(th + 4, (uint16_t)(8 + plen));
	return 14 + tot;
}

/* --- a classic BPF interpreter: the instructions the filter uses --- */

static uint32_t
bpf_run(const struct sock_filter *p, int n, const uint8_t *pkt, size_t len,
    uint32_t pkttype)
{
	uint32_t A = 0, X = 0, k, off;

	for (int pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &p[pc];
		k = i->k;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k == (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)) {
				A = pkttype;
				break;
			}
			if (k + 4 > len)
				return 0;
			A = g32(pkt + k);
			break;
		case BPF_LD | BPF_H | BPF_ABS:
			if (k + 2 > len)
				return 0;
			A = g16(pkt + k);
			break;
		case BPF_LD | BPF_B | BPF_ABS:
			if (k + 1 > len)
				return 0;
			A = pkt[k];
			break;
		case BPF_LD | BPF_B | BPF_IND:
			off = X + k;
			if (off + 1 > len)
				return 0;
			A = pkt[off];
			break;
		case BPF_LDX | BPF_B | BPF_MSH:
			if (k + 1 > len)
				return 0;
			X = (uint32_t)(pkt[k] & 0xf) * 4;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			A &= k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += A == k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (A & k) ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return k;
		default:
			return 0xdead;	/* an instruction this test lacks */
		}
	}
	return 0xdead;			/* fell off the end */
}

static struct sock_filter prog[64];
static int nprog;

static bool
filter_wakes(const uint8_t *f, size_t len)
{
	uint32_t r = bpf_run(prog, nprog, f, len, PACKET_OUTGOING);

	return r != 0 && r != 0xdead;
}

static void
wake_frames(void)
{
	uint8_t f[2048];
	size_t n;

	nprog = net_frame_wake_filter(prog, 64);
	T_ASSERT(nprog > 0);
	n = frame(f, IPPROTO_TCP, 0x02, 1000, 0, 0, 5);		/* SYN */
	T_EQ(net_frame_kind(f, n), NET_FRAME_WAKE);
	T_ASSERT(filter_wakes(f, n));
	/* The same SYN seen coming from the guest is not a wake-up. */
	T_EQ(bpf_run(prog, nprog, f, n, PACKET_HOST), 0);
	n = frame(f, IPPROTO_TCP, 0x02, 1000, 0, 0, 7);		/* options */
	T_EQ(net_frame_kind(f, n), NET_FRAME_WAKE);
	T_ASSERT(filter_wakes(f, n));
	n = frame(f, IPPROTO_UDP, 0, 0, 0, 20, 5);
	T_EQ(net_frame_kind(f, n), NET_FRAME_WAKE);
	T_ASSERT(filter_wakes(f, n));
}

static void
other_frames(void)
{
	static const uint8_t flags[] = { 0x12, 0x10, 0x18, 0x11, 0x04, 0x14 };
	uint8_t f[2048];
	size_t n;

	nprog = net_frame_wake_filter(prog, 64);
	/* SYN-ACK, ACK, data, FIN, RST, RST-ACK: an old connection's
	 * segments do not summon a stopped VM. */
	for (size_t i = 0; i < sizeof(flags); i++) {
		n = frame(f, IPPROTO_TCP, flags[i], 1, 2, 0, 5);
		T_EQ(net_frame_kind(f, n), NET_FRAME_OTHER);
		T_ASSERT(!filter_wakes(f, n));
	}
	n = frame(f, IPPROTO_ICMP, 0, 0, 0, 0, 5);
	T_EQ(net_frame_kind(f, n), NET_FRAME_OTHER);
	T_ASSERT(!filter_wakes(f, n));
	/* A later fragment carries no TCP header. */
	n = frame(f, IPPROTO_TCP, 0x02, 1, 0, 0, 5);
	p16(f + 14 + 6, 0x0010);
	T_EQ(net_frame_kind(f, n), NET_FRAME_OTHER);
	T_ASSERT(!filter_wakes(f, n));
	/* ARP and IPv6 */
	n = frame(f, IPPROTO_UDP, 0, 0, 0, 20, 5);
	p16(f + 12, 0x0806);
	T_EQ(net_frame_kind(f, n), NET_FRAME_OTHER);
	T_ASSERT(!filter_wakes(f, n));
	p16(f + 12, 0x86dd);
	T_EQ(net_frame_kind(f, n), NET_FRAME_OTHER);
	T_ASSERT(!filter_wakes(f, n));
	/* Truncated: no TCP flags byte. */
	n = frame(f, IPPROTO_TCP, 0x02, 1, 0, 0, 5);
	T_EQ(net_frame_kind(f, 14 + 20 + 10), NET_FRAME_OTHER);
	T_ASSERT(!filter_wakes(f, 14 + 20 + 10));
	T_EQ(net_frame_kind(f, 10), NET_FRAME_OTHER);
	T_ASSERT(!filter_wakes(f, 10));
}

static void
junk(void)
{
	uint8_t f[128];
	size_t n = net_frame_junk(f, sizeof(f), guest_mac);

	T_EQ(n, NET_JUNK_LEN);
	T_ASSERT(memcmp(f, guest_mac, 6) == 0);
	T_EQ(g16(f + 12), NET_JUNK_ETHERTYPE);
	T_EQ(net_frame_kind(f, n), NET_FRAME_JUNK);
	nprog = net_frame_wake_filter(prog, 64);
	T_ASSERT(!filter_wakes(f, n));
	T_EQ(net_frame_junk(f, NET_JUNK_LEN - 1, guest_mac), 0);
	/* Another frame of that ethertype is not ours. */
	f[20] ^= 1;
	T_EQ(net_frame_kind(f, n), NET_FRAME_OTHER);
}

static void
arp_request(void)
{
	struct in_addr gw = { htonl(0xa9fe4d01) }, guest = { htonl(0x0a4d0002) };
	uint8_t f[64];
	size_t n = net_frame_arp_request(f, sizeof(f), host_mac, &gw, guest_mac,
	    &guest);

	T_EQ(n, 42);
	T_ASSERT(memcmp(f, guest_mac, 6) == 0);
	T_ASSERT(memcmp(f + 6, host_mac, 6) == 0);
	T_EQ(g16(f + 12), 0x0806);
	T_EQ(g16(f + 14), 1);			/* Ethernet */
	T_EQ(g16(f + 16), 0x0800);
	T_EQ(f[18], 6);
	T_EQ(f[19], 4);
	T_EQ(g16(f + 20), 1);			/* request */
	T_ASSERT(memcmp(f + 22, host_mac, 6) == 0);
	T_EQ(g32(f + 28), 0xa9fe4d01);
	T_EQ(g32(f + 38), 0x0a4d0002);
	T_EQ(net_frame_kind(f, n), NET_FRAME_OTHER);
	nprog = net_frame_wake_filter(prog, 64);
	T_ASSERT(!filter_wakes(f, n));
	T_EQ(net_frame_arp_request(f, 41, host_mac, &gw, guest_mac, &guest), 0);
}

/* The reset's IP and TCP checksums hold, and it goes back where the
 * segment came from. */
static void
check_reset(const uint8_t *r, size_t n)
{
	uint32_t pseudo;

	T_EQ(n, 54);
	T_ASSERT(memcmp(r, host_mac, 6) == 0);
	T_ASSERT(memcmp(r + 6, guest_mac, 6) == 0);
	T_EQ(g16(r + 12), 0x0800);
	T_EQ(csum(0, r + 14, 20), 0);
	T_EQ(g16(r + 14 + 2), 40);
	T_EQ(g32(r + 14 + 12), 0x0a4d0002);
	T_EQ(g32(r + 14 + 16), 0xa9fe4d01);
	T_EQ(g16(r + 34), 80);
	T_EQ(g16(r + 36), 40000);
	pseudo = (g32(r + 26) >> 16) + (g32(r + 26) & 0xffff) +
	    (g32(r + 30) >> 16) + (g32(r + 30) & 0xffff) + IPPROTO_TCP + 20;
	T_EQ(csum(pseudo, r + 34, 20), 0);
}

static void
resets(void)
{
	uint8_t f[2048], r[64];
	size_t n, m;

	/* A SYN: seq 0, ack = its seq + 1, RST|ACK. */
	n = frame(f, IPPROTO_TCP, 0x02, 0xfffffff0, 0, 0, 5);
	m = net_frame_tcp_reset(f, n, r, sizeof(r));
	check_reset(r, m);
	T_EQ(g32(r + 34 + 4), 0);
	T_EQ(g32(r + 34 + 8), 0xfffffff1);
	T_EQ(r[34 + 13], 0x14);
	/* With IP options and data + FIN: ack covers data and FIN. */
	n = frame(f, IPPROTO_TCP, 0x01, 100, 0, 10, 6);
	m = net_frame_tcp_reset(f, n, r, sizeof(r));
	check_reset(r, m);
	T_EQ(g32(r + 34 + 8), 111);
	/* An ACK: seq = its ack, RST alone. */
	n = frame(f, IPPROTO_TCP, 0x10, 5, 777, 0, 5);
	m = net_frame_tcp_reset(f, n, r, sizeof(r));
	check_reset(r, m);
	T_EQ(g32(r + 34 + 4), 777);
	T_EQ(r[34 + 13], 0x04);
	/* Never a reset for a reset, nor for what is not TCP. */
	n = frame(f, IPPROTO_TCP, 0x04, 5, 0, 0, 5);
	T_EQ(net_frame_tcp_reset(f, n, r, sizeof(r)), 0);
	n = frame(f, IPPROTO_UDP, 0, 0, 0, 4, 5);
	T_EQ(net_frame_tcp_reset(f, n, r, sizeof(r)), 0);
	n = frame(f, IPPROTO_TCP, 0x02, 5, 0, 0, 5);
	T_EQ(net_frame_tcp_reset(f, n, r, 40), 0);		/* cap short */
	T_EQ(net_frame_tcp_reset(f, 30, r, sizeof(r)), 0);	/* truncated */
	f[14 + 20 + 12] = 2 << 4;				/* bad offset */
	T_EQ(net_frame_tcp_reset(f, n, r, sizeof(r)), 0);
}

int
main(void)
{
	T_RUN(wake_frames);
	T_RUN(other_frames);
	T_RUN(junk);
	T_RUN(arp_request);
	T_RUN(resets);
	return t_done();
}
