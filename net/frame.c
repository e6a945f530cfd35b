/*
 * net/frame.c - the few Ethernet frames jitsud looks at or makes on a
 * VM's tap: what counts as a wake-up, the sacrificial frame that goes
 * ahead of the held ones, and the reset that refuses a held connection.
 * Pure functions over bytes; see net.h. Layouts: IPv4 (RFC 791), TCP
 * (RFC 9293); the kernel's classic BPF for the filter (filter.h).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <string.h>

#include "net/net.h"

#define ETH_HLEN	14
#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_ARP	0x0806
#define IP_OFFMASK	0x1fff
#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_ACK		0x10

static const char junk_mark[] = "jitsu: sacrificial frame";

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Sum of 16-bit big-endian words (RFC 1071), not yet folded. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The IPv4 header and the TCP/UDP header after it, if the frame holds
 * them whole and is not a later fragment; returns the protocol or -1. */
static int
ipv4_l4(const uint8_t *f, size_t len, size_t *ihl, size_t *iplen)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t hl, tot;

	if (len < ETH_HLEN + 20 || get16(f + 12) != ETHERTYPE_IP ||
	    ip[0] >> 4 != 4)
		return -1;
	hl = (size_t)(ip[0] & 0xf) * 4;
	tot = get16(ip + 2);
	if (hl < 20 || tot < hl || ETH_HLEN + tot > len ||
	    (get16(ip + 6) & IP_OFFMASK) != 0)
		return -1;
	*ihl = hl;
	*iplen = tot;
	return ip[9];
}

enum net_frame_kind
net_frame_kind(const uint8_t *f, size_t len)
{
	size_t ihl, tot;
	int proto;

	if (len >= ETH_HLEN + sizeof(junk_mark) &&
	    get16(f + 12) == NET_JUNK_ETHERTYPE &&
	    memcmp(f + ETH_HLEN, junk_mark, sizeof(junk_mark)) == 0)
		return NET_FRAME_JUNK;
	if ((proto = ipv4_l4(f, len, &ihl, &tot)) == IPPROTO_UDP)
		return NET_FRAME_WAKE;
	if (proto == IPPROTO_TCP && tot >= ihl + 20 &&
	    (f[ETH_HLEN + ihl + 13] & (TH_SYN | TH_ACK)) == TH_SYN)
		return NET_FRAME_WAKE;
	return NET_FRAME_OTHER;
}

size_t
net_frame_junk(uint8_t *f, size_t cap, const uint8_t dst[6])
{
	/* The minimum Ethernet payload, so nothing on the way pads it. */
	if (cap < NET_JUNK_LEN)
		return 0;
	memset(f, 0, NET_JUNK_LEN);
	memcpy(f, dst, 6);
	/* A locally administered source no host owns. */
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x00", 6);
	put16(f + 12, NET_JUNK_ETHERTYPE);
	memcpy(f + ETH_HLEN, junk_mark, sizeof(junk_mark));
	return NET_JUNK_LEN;
}

size_t
net_frame_arp_request(uint8_t *f, size_t cap, const uint8_t sha[6],
    const struct in_addr *spa, const uint8_t dst[6], const struct in_addr *tpa)
{
	uint8_t *a = f + ETH_HLEN;

	if (cap < ETH_HLEN + 28)
		return 0;
	memcpy(f, dst, 6);
	memcpy(f + 6, sha, 6);
	put16(f + 12, ETHERTYPE_ARP);
	put16(a, 1);			/* Ethernet */
	put16(a + 2, ETHERTYPE_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);		/* request */
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa->s_addr, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, &tpa->s_addr, 4);
	return ETH_HLEN + 28;
}

size_t
net_frame_tcp_reset(const uint8_t *f, size_t len, uint8_t *out, size_t cap)
{
	const uint8_t *ip = f + ETH_HLEN, *th;
	uint8_t *oip = out + ETH_HLEN, *oth = oip + 20;
	size_t ihl, tot, thl, seglen;
	uint32_t sum;
	uint8_t flags;

	if (ipv4_l4(f, len, &ihl, &tot) != IPPROTO_TCP || tot < ihl + 20 ||
	    cap < ETH_HLEN + 40)
		return 0;
	th = ip + ihl;
	thl = (size_t)(th[12] >> 4) * 4;
	flags = th[13];
	if (thl < 20 || ihl + thl > tot || (flags & TH_RST))
		return 0;
	seglen = tot - ihl - thl + !!(flags & TH_SYN) + !!(flags & TH_FIN);

	memcpy(out, f + 6, 6);			/* back to the sender */
	memcpy(out + 6, f, 6);
	put16(out + 12, ETHERTYPE_IP);
	memset(oip, 0, 40);
	oip[0] = 0x45;
	put16(oip + 2, 40);
	oip[8] = 64;
	oip[9] = IPPROTO_TCP;
	memcpy(oip + 12, ip + 16, 4);
	memcpy(oip + 16, ip + 12, 4);
	put16(oip + 10, csum_fold(csum_add(0, oip, 20)));
	memcpy(oth, th + 2, 2);
	memcpy(oth + 2, th, 2);
	/* RFC 9293 3.10.7.1: an ACK is answered from its acknowledgment
	 * number; anything else with ack = its sequence + length. */
	if (flags & TH_ACK) {
		memcpy(oth + 4, th + 8, 4);
		oth[13] = TH_RST;
	} else {
		put32(oth + 8, get32(th + 4) + (uint32_t)seglen);
		oth[13] = TH_RST | TH_ACK;
	}
	oth[12] = 5 << 4;
	/* Pseudo-header: addresses, protocol, TCP length. */
	sum = csum_add(0, oip + 12, 8) + IPPROTO_TCP + 20;
	put16(oth + 16, csum_fold(csum_add(sum, oth, 20)));
	return ETH_HLEN + 40;
}

/*
 * The kernel-side twin of net_frame_kind's NET_FRAME_WAKE, for a packet
 * socket on the tap: outgoing (host -> guest), IPv4, not a later
 * fragment, UDP or a TCP SYN without ACK. Anything else never wakes
 * jitsud. test_qemu_frame runs both over the same frames.
 */
int
net_frame_wake_filter(struct sock_filter *p, int max)
{
	const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 12),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IP, 0, 10),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ETH_HLEN + 6),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, IP_OFFMASK, 8, 0),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN + 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 5),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, ETH_HLEN),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, ETH_HLEN + 13),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, TH_SYN | TH_ACK),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TH_SYN, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 96),	/* headers are enough */
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	int n = (int)(sizeof(prog) / sizeof(prog[0]));

	if (n > max)
		return -ENOSPC;
	memcpy(p, prog, sizeof(prog));
	return n;
}
