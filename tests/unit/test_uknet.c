/*
 * test_uknet.c - uk/net on the host: frames in as bytes, frames out
 * captured and parsed back. The checksum and the frame builders here are
 * the test's own, so the stack is checked against an independent reading
 * of the RFCs, not against itself.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/lib/t.h"
#include "uk/include/uk.h"
#include "uk/net/net.h"

#define MAXCAP		128
#define SEC		1000000000ULL
#define MS		1000000ULL
#define OUR_IP		0x0a00020f	/* 10.0.2.15 */
#define PEER_IP		0x0a000201	/* 10.0.2.1, also the gateway */
#define FAR_IP		0xc0a80105	/* 192.168.1.5, via the gateway */

static const uint8_t	 OUR_MAC[6] = { 2, 0, 0, 0, 0, 0x0f };
static const uint8_t	 PEER_MAC[6] = { 2, 0, 0, 0, 0, 0x01 };
static const uint8_t	 BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct {
	int	 n;
	int	 refuse;		/* the device is full */
	size_t	 len[MAXCAP];
	uint8_t	 f[MAXCAP][NET_FRAME_MAX];
} cap;

static struct net	*N;
static uint64_t		 now;

static int
cap_tx(void *arg, const void *frame, size_t len)
{
	(void)arg;
	if (cap.refuse || cap.n == MAXCAP)
		return -1;
	memcpy(cap.f[cap.n], frame, len);
	cap.len[cap.n++] = len;
	return 0;
}

static void
setup(void)
{
	struct net_config	 cfg;

	if (N == NULL && (N = calloc(1, sizeof(*N))) == NULL)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.mac, OUR_MAC, 6);
	cfg.addr = OUR_IP;
	cfg.netmask = 0xffffff00;
	cfg.gateway = PEER_IP;
	cfg.secret = 0x0123456789abcdefULL;
	net_init(N, &cfg, cap_tx, NULL);
	cap.n = 0;
	cap.refuse = 0;
	now = 10 * SEC;
}

/* ---- the test's own wire helpers ---- */

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

/* RFC 1071, the slow obvious way. */
static uint16_t
cksum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += g16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t
pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
	    proto + (uint32_t)len;
}

/* An IPv4 frame from SRCMAC/SRC to us carrying PROTO payload PL. */
static size_t
ip_frame(uint8_t *f, const uint8_t *srcmac, uint32_t src, uint8_t proto,
    const uint8_t *pl, size_t plen)
{
	uint8_t	*ip = f + 14;

	memcpy(f, OUR_MAC, 6);
	memcpy(f + 6, srcmac, 6);
	p16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	p16(ip + 2, (uint16_t)(20 + plen));
	p16(ip + 4, 0x1234);
	ip[8] = 64;
	ip[9] = proto;
	p32(ip + 12, src);
	p32(ip + 16, OUR_IP);
	p16(ip + 10, cksum(ip, 20, 0));
	memcpy(ip + 20, pl, plen);
	return 14 + 20 + plen;
}

struct seg {
	uint32_t	 src, dst;
	uint16_t	 sport, dport;
	uint32_t	 seq, ack;
	uint8_t		 flags;
	uint16_t	 wnd, mss;
	const uint8_t	*data;
	size_t		 len;
};

#define F_FIN	0x01
#define F_SYN	0x02
#define F_RST	0x04
#define F_PSH	0x08
#define F_ACK	0x10

/* Sends a TCP segment from PEER_IP:SPORT to our port 80 (or DPORT). */
static void
send_tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
    uint8_t flags, uint16_t wnd, uint16_t mss, const void *data, size_t len)
{
	uint8_t		 f[NET_FRAME_MAX], th[1500];
	size_t		 hl = mss ? 24 : 20;

	memset(th, 0, hl);
	p16(th, sport);
	p16(th + 2, dport);
	p32(th + 4, seq);
	p32(th + 8, ack);
	th[12] = (uint8_t)(hl / 4 << 4);
	th[13] = flags;
	p16(th + 14, wnd);
	if (mss) {
		th[20] = 2;
		th[21] = 4;
		p16(th + 22, mss);
	}
	if (len > 0)
		memcpy(th + hl, data, len);
	p16(th + 16, cksum(th, hl + len, pseudo(PEER_IP, OUR_IP, 6, hl + len)));
	net_input(N, f, ip_frame(f, PEER_MAC, PEER_IP, 6, th, hl + len), now);
}

/* Parses captured frame I as TCP; fails the test on any malformation. */
static int
parse_tcp(int i, struct seg *s)
{
	const uint8_t	*f = cap.f[i], *ip = f + 14, *th, *o;
	size_t		 tl, hl, k;

	if (i >= cap.n || cap.len[i] < 54 || g16(f + 12) != 0x0800 ||
	    ip[9] != 6 || cksum(ip, 20, 0) != 0)
		return -1;
	if (g16(ip + 2) + 14u != cap.len[i])
		return -1;
	tl = g16(ip + 2) - 20u;
	th = ip + 20;
	if (cksum(th, tl, pseudo(g32(ip + 12), g32(ip + 16), 6, tl)) != 0)
		return -1;
	hl = (size_t)(th[12] >> 4) * 4;
	s->src = g32(ip + 12);
	s->dst = g32(ip + 16);
	s->sport = g16(th);
	s->dport = g16(th + 2);
	s->seq = g32(th + 4);
	s->ack = g32(th + 8);
	s->flags = th[13];
	s->wnd = g16(th + 14);
	s->mss = 0;
	for (o = th + 20, k = 0; k + 3 < hl - 20; k += 4)
		if (o[k] == 2 && o[k + 1] == 4)
			s->mss = g16(o + k + 2);
	s->data = th + hl;
	s->len = tl - hl;
	return 0;
}

/* Opens a connection from port SPORT (peer ISN PISN, MSS 1000, window
 * WND); returns the accepted handle, *ISS our ISN. */
static int
connect_peer(uint16_t sport, uint32_t pisn, uint16_t wnd, uint32_t *iss)
{
	struct seg	 s;
	int		 l, h;

	cap.n = 0;
	send_tcp(sport, 80, pisn, 0, F_SYN, wnd, 1000, NULL, 0);
	if (cap.n != 1 || parse_tcp(0, &s) < 0 ||
	    s.flags != (F_SYN | F_ACK) || s.ack != pisn + 1)
		return -1;
	*iss = s.seq;
	now += 10 * MS;
	send_tcp(sport, 80, pisn + 1, s.seq + 1, F_ACK, wnd, 0, NULL, 0);
	cap.n = 0;
	for (l = 0; l < NET_MAX_LISTEN; l++)
		if ((h = net_accept(N, l, now)) >= 0)
			return h;
	return -1;
}

static int
listen80(void)
{
	return net_listen(N, 80);
}

/* ---- tests ---- */

static void
parse_ipv4(void)
{
	uint32_t	 a;
	const char	*end;

	T_EQ(net_parse_ipv4("10.0.2.15", &a, &end), 0);
	T_EQ(a, OUR_IP);
	T_EQ(*end, '\0');
	T_EQ(net_parse_ipv4("255.255.255.255/24", &a, &end), 0);
	T_EQ(a, 0xffffffff);
	T_EQ(*end, '/');
	T_EQ(net_parse_ipv4("256.1.1.1", &a, NULL), UK_EINVAL);
	T_EQ(net_parse_ipv4("1.2.3", &a, NULL), UK_EINVAL);
	T_EQ(net_parse_ipv4("1..2.3", &a, NULL), UK_EINVAL);
	T_EQ(net_parse_ipv4("1.2.3.0004", &a, NULL), UK_EINVAL);
	T_EQ(net_parse_ipv4("", &a, NULL), UK_EINVAL);
}

static size_t
arp_frame(uint8_t *f, const uint8_t *dst, uint16_t op, uint32_t spa,
    uint32_t tpa)
{
	uint8_t	*a = f + 14;

	memcpy(f, dst, 6);
	memcpy(f + 6, PEER_MAC, 6);
	p16(f + 12, 0x0806);
	p16(a, 1);
	p16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	p16(a + 6, op);
	memcpy(a + 8, PEER_MAC, 6);
	p32(a + 14, spa);
	memset(a + 18, 0, 6);
	p32(a + 24, tpa);
	return 42;
}

static void
arp_answers_for_us(void)
{
	uint8_t		 f[64];
	const uint8_t	*r, *a;

	setup();
	net_input(N, f, arp_frame(f, BCAST, 1, PEER_IP, OUR_IP), now);
	T_EQ(cap.n, 1);
	r = cap.f[0];
	a = r + 14;
	T_ASSERT(memcmp(r, PEER_MAC, 6) == 0);
	T_ASSERT(memcmp(r + 6, OUR_MAC, 6) == 0);
	T_EQ(g16(r + 12), 0x0806);
	T_EQ(g16(a + 6), 2);			/* reply */
	T_ASSERT(memcmp(a + 8, OUR_MAC, 6) == 0);
	T_EQ(g32(a + 14), OUR_IP);
	T_ASSERT(memcmp(a + 18, PEER_MAC, 6) == 0);
	T_EQ(g32(a + 24), PEER_IP);
	/* Someone else's address: silence. */
	cap.n = 0;
	net_input(N, f, arp_frame(f, BCAST, 1, PEER_IP, 0x0a000263), now);
	T_EQ(cap.n, 0);
	/* Truncated: dropped. */
	net_input(N, f, 30, now);
	T_EQ(cap.n, 0);
}

static size_t
echo_frame(uint8_t *f, const uint8_t *mac, uint32_t src, bool good)
{
	uint8_t	 ic[40];

	memset(ic, 0, sizeof(ic));
	ic[0] = 8;
	p16(ic + 4, 0x4242);			/* identifier */
	p16(ic + 6, 7);				/* sequence */
	memcpy(ic + 8, "payload-payload-payload-payload!", 32);
	p16(ic + 2, (uint16_t)(cksum(ic, sizeof(ic), 0) + (good ? 0 : 1)));
	return ip_frame(f, mac, src, 1, ic, sizeof(ic));
}

static void
icmp_echo_reply(void)
{
	uint8_t		 f[NET_FRAME_MAX];
	const uint8_t	*ip, *ic;

	setup();
	net_input(N, f, echo_frame(f, PEER_MAC, PEER_IP, true), now);
	T_EQ(cap.n, 1);
	/* The peer's MAC was learnt from the request: no ARP needed. */
	T_ASSERT(memcmp(cap.f[0], PEER_MAC, 6) == 0);
	ip = cap.f[0] + 14;
	ic = ip + 20;
	T_EQ(cksum(ip, 20, 0), 0);
	T_EQ(g32(ip + 12), OUR_IP);
	T_EQ(g32(ip + 16), PEER_IP);
	T_EQ(ip[9], 1);
	T_EQ(g16(ip + 2), 60);
	T_EQ(ic[0], 0);				/* echo reply */
	T_EQ(g16(ic + 4), 0x4242);
	T_EQ(g16(ic + 6), 7);
	T_ASSERT(memcmp(ic + 8, "payload-payload-payload-payload!", 32) == 0);
	T_EQ(cksum(ic, 40, 0), 0);
	cap.n = 0;
	net_input(N, f, echo_frame(f, PEER_MAC, PEER_IP, false), now);
	T_EQ(cap.n, 0);				/* bad checksum: dropped */
}

static void
ip_drops_what_it_must(void)
{
	uint8_t		 f[NET_FRAME_MAX];
	size_t		 len;

	setup();
	/* A fragment (MF set). */
	len = echo_frame(f, PEER_MAC, PEER_IP, true);
	p16(f + 14 + 6, 0x2000);
	p16(f + 14 + 10, 0);
	p16(f + 14 + 10, cksum(f + 14, 20, 0));
	net_input(N, f, len, now);
	/* Bad header checksum. */
	len = echo_frame(f, PEER_MAC, PEER_IP, true);
	f[14 + 10] ^= 1;
	net_input(N, f, len, now);
	/* Not for our address. */
	len = echo_frame(f, PEER_MAC, PEER_IP, true);
	p32(f + 14 + 16, 0x0a000210);
	p16(f + 14 + 10, 0);
	p16(f + 14 + 10, cksum(f + 14, 20, 0));
	net_input(N, f, len, now);
	/* Total length beyond the frame. */
	len = echo_frame(f, PEER_MAC, PEER_IP, true);
	net_input(N, f, len - 1, now);
	/* Another MAC's frame. */
	len = echo_frame(f, PEER_MAC, PEER_IP, true);
	f[0] ^= 0x10;
	net_input(N, f, len, now);
	/* IPv6 ethertype. */
	len = echo_frame(f, PEER_MAC, PEER_IP, true);
	p16(f + 12, 0x86dd);
	net_input(N, f, len, now);
	T_EQ(cap.n, 0);
	/* Ethernet padding after the datagram is fine. */
	len = echo_frame(f, PEER_MAC, PEER_IP, true);
	memset(f + len, 0, 8);
	net_input(N, f, len + 8, now);
	T_EQ(cap.n, 1);
}

static void
arp_resolves_gateway(void)
{
	uint8_t		 f[NET_FRAME_MAX];
	const uint8_t	*a;
	uint64_t	 t0;
	int		 i;

	setup();
	/* A ping from beyond the gateway: its source MAC is the router's,
	 * not learnt, so the reply waits for ARP. */
	net_input(N, f, echo_frame(f, PEER_MAC, FAR_IP, true), now);
	T_EQ(cap.n, 1);
	a = cap.f[0] + 14;
	T_ASSERT(memcmp(cap.f[0], BCAST, 6) == 0);
	T_EQ(g16(cap.f[0] + 12), 0x0806);
	T_EQ(g16(a + 6), 1);			/* request */
	T_EQ(g32(a + 24), PEER_IP);		/* for the gateway */
	/* Retried once a second, three tries in all, then given up. */
	t0 = now;
	cap.n = 0;
	T_EQ(net_poll(N, now), t0 + SEC);
	T_EQ(cap.n, 0);
	for (i = 1; i <= 3; i++)
		net_poll(N, t0 + (uint64_t)i * SEC);
	T_EQ(cap.n, 2);
	T_EQ(net_poll(N, t0 + 10 * SEC), UINT64_MAX);
	/* Again, now answered: the held reply goes out. */
	cap.n = 0;
	net_input(N, f, echo_frame(f, PEER_MAC, FAR_IP, true), now);
	T_EQ(cap.n, 1);
	net_input(N, f, arp_frame(f, OUR_MAC, 2, PEER_IP, OUR_IP), now);
	T_EQ(cap.n, 2);
	T_ASSERT(memcmp(cap.f[1], PEER_MAC, 6) == 0);
	T_EQ(g16(cap.f[1] + 12), 0x0800);
	T_EQ(g32(cap.f[1] + 14 + 16), FAR_IP);
	T_EQ(cap.f[1][14 + 20], 0);		/* the echo reply */
}

/* jitsud's qemu backend gives the guest a /32 and a link-local gateway:
 * every peer is off-link, the gateway too, and its ARP reply must still
 * be taken. */
static void
arp_gateway_off_subnet(void)
{
	struct net_config	 cfg;
	uint8_t			 f[NET_FRAME_MAX];
	const uint8_t		*a;

	setup();
	cfg = N->cfg;
	cfg.netmask = 0xffffffff;
	cfg.gateway = 0xa9fe0001;		/* 169.254.0.1 */
	net_init(N, &cfg, cap_tx, NULL);
	net_input(N, f, echo_frame(f, PEER_MAC, PEER_IP, true), now);
	T_EQ(cap.n, 1);
	a = cap.f[0] + 14;
	T_EQ(g16(cap.f[0] + 12), 0x0806);
	T_EQ(g32(a + 24), 0xa9fe0001);
	/* Someone else's reply for an address off our subnet: ignored. */
	net_input(N, f, arp_frame(f, OUR_MAC, 2, 0xa9fe0063, OUR_IP), now);
	T_EQ(cap.n, 1);
	/* The gateway's: the held echo reply leaves, to its MAC. */
	net_input(N, f, arp_frame(f, OUR_MAC, 2, 0xa9fe0001, OUR_IP), now);
	T_EQ(cap.n, 2);
	T_ASSERT(memcmp(cap.f[1], PEER_MAC, 6) == 0);
	T_EQ(g32(cap.f[1] + 14 + 16), PEER_IP);
}

static void
tcp_rst_for_closed_port(void)
{
	struct seg	 s;

	setup();
	send_tcp(5555, 81, 1000, 0, F_SYN, 65535, 1460, NULL, 0);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags, F_RST | F_ACK);
	T_EQ(s.seq, 0);
	T_EQ(s.ack, 1001);
	T_EQ(s.sport, 81);
	T_EQ(s.dport, 5555);
	/* An ACK gets a RST with its ACK number as sequence; a RST none. */
	cap.n = 0;
	send_tcp(5555, 81, 1000, 777, F_ACK, 65535, 0, NULL, 0);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags, F_RST);
	T_EQ(s.seq, 777);
	cap.n = 0;
	send_tcp(5555, 81, 1000, 777, F_RST, 0, 0, NULL, 0);
	T_EQ(cap.n, 0);
}

static void
tcp_handshake(void)
{
	struct seg	 s;
	char		 buf[8];
	int		 l, h;

	setup();
	T_EQ((l = listen80()), 0);
	T_EQ(net_listen(N, 80), UK_ENOENT);
	send_tcp(40000, 80, 5000, 0, F_SYN, 29200, 1000, NULL, 0);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags, F_SYN | F_ACK);
	T_EQ(s.ack, 5001);
	T_EQ(s.mss, 1460);
	T_EQ(s.wnd, NET_RCVBUF);
	T_EQ(s.len, 0);
	/* Not established yet: nothing to accept. */
	T_EQ(net_events(N, l), 0);
	T_EQ(net_accept(N, l, now), UK_EAGAIN);
	/* A lost SYN-ACK: the peer's SYN again gets the same SYN-ACK. */
	cap.n = 0;
	send_tcp(40000, 80, 5000, 0, F_SYN, 29200, 1000, NULL, 0);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags, F_SYN | F_ACK);
	send_tcp(40000, 80, 5001, s.seq + 1, F_ACK, 29200, 0, NULL, 0);
	T_EQ(net_events(N, l), UK_EV_READ);
	h = net_accept(N, l, now);
	T_ASSERT(h >= NET_MAX_LISTEN);
	T_EQ(net_accept(N, l, now), UK_EAGAIN);
	T_EQ(net_events(N, h), UK_EV_WRITE);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), UK_EAGAIN);
}

static void
tcp_synack_retransmit_then_give_up(void)
{
	struct seg	 s, s2;
	uint64_t	 t;
	int		 i;

	setup();
	listen80();
	send_tcp(40001, 80, 5000, 0, F_SYN, 29200, 1000, NULL, 0);
	T_EQ(parse_tcp(0, &s), 0);
	t = net_poll(N, now);
	T_EQ(t, now + SEC);			/* initial RTO */
	cap.n = 0;
	net_poll(N, t);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s2), 0);
	T_EQ(s2.flags, F_SYN | F_ACK);
	T_EQ(s2.seq, s.seq);
	T_EQ(net_poll(N, t), t + 2 * SEC);	/* doubled */
	for (i = 0; i < 10; i++)
		t = net_poll(N, t);
	T_EQ(t, UINT64_MAX);			/* gone */
	cap.n = 0;
	send_tcp(40001, 80, 5001, s.seq + 1, F_ACK, 29200, 0, NULL, 0);
	T_EQ(parse_tcp(0, &s2), 0);
	T_EQ(s2.flags, F_RST);			/* no such connection now */
}

static void
tcp_data_in_order_only(void)
{
	struct seg	 s;
	char		 buf[64];
	uint32_t	 iss;
	int		 h;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40002, 100, 29200, &iss)) >= 0);
	/* Out of order: dropped, duplicate ACK for what we expect. */
	send_tcp(40002, 80, 111, iss + 1, F_ACK | F_PSH, 29200, 0, "world", 5);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.ack, 101);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), UK_EAGAIN);
	T_EQ(net_events(N, h) & UK_EV_READ, 0);
	/* In order. */
	cap.n = 0;
	send_tcp(40002, 80, 101, iss + 1, F_ACK | F_PSH, 29200, 0, "hello ",
	    6);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.ack, 107);
	T_EQ(s.wnd, NET_RCVBUF - 6);
	T_EQ(net_events(N, h) & UK_EV_READ, UK_EV_READ);
	/* A retransmission overlapping what we have: only the new part. */
	send_tcp(40002, 80, 104, iss + 1, F_ACK, 29200, 0, "lo world", 8);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), 11);
	T_ASSERT(memcmp(buf, "hello world", 11) == 0);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), UK_EAGAIN);
}

static void
tcp_send_respects_mss_and_window(void)
{
	struct seg	 s;
	static char	 data[20000];
	uint32_t	 iss, next;
	int		 h, i;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40003, 100, 3000, &iss)) >= 0);
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (char)i;
	T_EQ(net_write(N, h, data, sizeof(data), now), sizeof(data));
	/* Peer window 3000, MSS 1000: three full segments. */
	T_EQ(cap.n, 3);
	next = iss + 1;
	for (i = 0; i < 3; i++) {
		T_EQ(parse_tcp(i, &s), 0);
		T_EQ(s.seq, next);
		T_EQ(s.len, 1000);
		T_ASSERT(memcmp(s.data, data + (next - iss - 1), 1000) == 0);
		next += 1000;
	}
	/* An ACK for 2000 with a wider window: now the congestion window
	 * limits the flight, 10 MSS grown by one MSS of slow start. */
	cap.n = 0;
	send_tcp(40003, 80, 101, iss + 2001, F_ACK, 60000, 0, NULL, 0);
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.seq + s.len - (iss + 2001), 11000);
	/* Write space: the buffer holds 32 KiB. */
	T_EQ(net_write(N, h, data, sizeof(data), now), NET_SNDBUF - 18000);
	T_EQ(net_write(N, h, data, 1, now), UK_EAGAIN);
	T_EQ(net_events(N, h) & UK_EV_WRITE, 0);
}

/* Our RTO after one 10 ms RTT sample: 10 + 4 * 5 ms, raised to 200 ms. */
static void
tcp_retransmit_backoff_abort(void)
{
	struct seg	 s;
	char		 buf[8];
	uint64_t	 t, d1, d2;
	uint32_t	 iss;
	int		 h, i;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40004, 100, 29200, &iss)) >= 0);
	T_EQ(net_write(N, h, "abcdefgh", 8, now), 8);
	T_EQ(cap.n, 1);
	t = net_poll(N, now);
	T_EQ(t - now, 200 * MS);
	cap.n = 0;
	net_poll(N, t);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.seq, iss + 1);
	T_EQ(s.len, 8);
	d1 = net_poll(N, t) - t;
	t += d1;
	net_poll(N, t);
	d2 = net_poll(N, t) - t;
	T_EQ(d1, 400 * MS);
	T_EQ(d2, 800 * MS);
	for (i = 0; i < 20 && t != UINT64_MAX; i++)
		t = net_poll(N, t);
	T_EQ(t, UINT64_MAX);
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.flags & F_RST, F_RST);
	T_EQ(net_events(N, h), UK_EV_READ | UK_EV_WRITE | UK_EV_HUP);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), UK_ECONNRESET);
	T_EQ(net_write(N, h, buf, 1, now), UK_ECONNRESET);
	T_EQ(net_close(N, h, now), 0);
	T_EQ(net_close(N, h, now), UK_EBADF);
}

static void
tcp_fast_retransmit(void)
{
	struct seg	 s;
	static char	 data[6000];
	uint32_t	 iss;
	int		 h, i;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40005, 100, 60000, &iss)) >= 0);
	T_EQ(net_write(N, h, data, sizeof(data), now), sizeof(data));
	T_EQ(cap.n, 6);
	/* The first segment was lost: three duplicate ACKs. */
	cap.n = 0;
	for (i = 0; i < 3; i++)
		send_tcp(40005, 80, 101, iss + 1, F_ACK, 60000, 0, NULL, 0);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.seq, iss + 1);
	T_EQ(s.len, 1000);
}

static void
tcp_peer_closes_first(void)
{
	struct seg	 s;
	char		 buf[16];
	uint32_t	 iss;
	int		 h;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40006, 100, 29200, &iss)) >= 0);
	send_tcp(40006, 80, 101, iss + 1, F_ACK | F_FIN, 29200, 0, "bye", 3);
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.ack, 105);			/* data and FIN */
	T_EQ(net_events(N, h), UK_EV_READ | UK_EV_WRITE | UK_EV_HUP);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), 3);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), 0);
	/* Half-closed: we may still send, then close. */
	cap.n = 0;
	T_EQ(net_write(N, h, "ok", 2, now), 2);
	T_EQ(net_close(N, h, now), 0);
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.flags & F_FIN, F_FIN);
	T_EQ(s.seq + s.len, iss + 3);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), UK_EBADF);
	/* The ACK of our FIN ends it: no TIME_WAIT for the passive closer,
	 * and the port pair is free for a new connection at once. */
	send_tcp(40006, 80, 105, iss + 4, F_ACK, 29200, 0, NULL, 0);
	T_EQ(net_poll(N, now), UINT64_MAX);
	T_ASSERT(connect_peer(40006, 9000, 29200, &iss) >= 0);
}

static void
tcp_we_close_first_time_wait(void)
{
	struct seg	 s;
	uint32_t	 iss, iss2;
	int		 h;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40007, 100, 29200, &iss)) >= 0);
	T_EQ(net_write(N, h, "response", 8, now), 8);
	T_EQ(net_close(N, h, now), 0);
	/* The FIN comes after the data (in the same or a later segment). */
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.flags & F_FIN, F_FIN);
	T_EQ(s.seq + s.len, iss + 9);
	/* The peer acks everything and closes too. */
	cap.n = 0;
	send_tcp(40007, 80, 101, iss + 10, F_ACK, 29200, 0, NULL, 0);
	T_EQ(cap.n, 0);
	send_tcp(40007, 80, 101, iss + 10, F_ACK | F_FIN, 29200, 0, NULL, 0);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags, F_ACK);
	T_EQ(s.ack, 102);
	/* In TIME_WAIT: a retransmitted FIN is acked again... */
	cap.n = 0;
	send_tcp(40007, 80, 101, iss + 10, F_ACK | F_FIN, 29200, 0, NULL, 0);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags, F_ACK);
	T_EQ(s.ack, 102);
	/* ...no timer wakes anyone for it... */
	T_EQ(net_poll(N, now), UINT64_MAX);
	/* ...and a new SYN above the old sequence space opens anew. */
	T_ASSERT((h = connect_peer(40007, 5000, 29200, &iss2)) >= 0);
}

static void
tcp_time_wait_table_recycles(void)
{
	uint32_t	 iss;
	int		 h, i;

	setup();
	listen80();
	for (i = 0; i < NET_MAX_TW + 20; i++) {
		T_ASSERT((h = connect_peer((uint16_t)(20000 + i), 100, 29200,
		    &iss)) >= 0);
		T_EQ(net_close(N, h, now), 0);
		send_tcp((uint16_t)(20000 + i), 80, 101, iss + 2,
		    F_ACK | F_FIN, 29200, 0, NULL, 0);
		now += MS;
	}
	/* All blocks free again: as many connections as ever. */
	for (i = 0; i < NET_MAX_CONN; i++)
		T_ASSERT(connect_peer((uint16_t)(30000 + i), 100, 29200,
		    &iss) >= 0);
}

static void
tcp_rst_checks(void)
{
	struct seg	 s;
	char		 buf[4];
	uint32_t	 iss;
	int		 h;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40008, 100, 29200, &iss)) >= 0);
	/* In the window but not exact: a challenge ACK, no reset. */
	send_tcp(40008, 80, 150, 0, F_RST, 0, 0, NULL, 0);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags, F_ACK);
	T_EQ(s.ack, 101);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), UK_EAGAIN);
	/* A SYN on the connection: challenge ACK as well. */
	cap.n = 0;
	send_tcp(40008, 80, 7777, 0, F_SYN, 29200, 1000, NULL, 0);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags, F_ACK);
	/* Outside the window: ignored. */
	cap.n = 0;
	send_tcp(40008, 80, 100 + 70000, 0, F_RST, 0, 0, NULL, 0);
	T_EQ(cap.n, 0);
	/* Exact: reset. */
	send_tcp(40008, 80, 101, 0, F_RST, 0, 0, NULL, 0);
	T_EQ(cap.n, 0);
	T_EQ(net_read(N, h, buf, sizeof(buf), now), UK_ECONNRESET);
	T_EQ(net_events(N, h) & UK_EV_HUP, UK_EV_HUP);
}

static void
tcp_zero_window_probe(void)
{
	struct seg	 s;
	uint64_t	 t;
	uint32_t	 iss;
	int		 h, i;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40009, 100, 0, &iss)) >= 0);
	T_EQ(net_write(N, h, "data", 4, now), 4);
	T_EQ(cap.n, 0);				/* window closed */
	t = net_poll(N, now);
	T_ASSERT(t != UINT64_MAX);
	net_poll(N, t);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.len, 1);				/* the probe */
	T_EQ(s.seq, iss + 1);
	/* A live peer answering probes with a zero window is kept for
	 * longer than any retransmission limit. */
	for (i = 0; i < 30; i++) {
		t = net_poll(N, t);
		T_ASSERT(t != UINT64_MAX);
		net_poll(N, t);
		send_tcp(40009, 80, 101, iss + 1, F_ACK, 0, 0, NULL, 0);
	}
	/* The window opens: the rest goes. */
	cap.n = 0;
	send_tcp(40009, 80, 101, iss + 1, F_ACK, 1000, 0, NULL, 0);
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.seq + s.len, iss + 5);
}

static void
tcp_orphan_zero_window_gives_up(void)
{
	struct seg	 s;
	uint64_t	 t;
	uint32_t	 iss;
	int		 h, i;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40014, 100, 0, &iss)) >= 0);
	T_EQ(net_write(N, h, "data", 4, now), 4);
	T_EQ(net_close(N, h, now), 0);
	/* The peer answers every probe and never opens its window; with the
	 * app gone the connection is reset in the end. */
	t = net_poll(N, now);
	for (i = 0; i < 40 && t != UINT64_MAX; i++) {
		net_poll(N, t);
		send_tcp(40014, 80, 101, iss + 1, F_ACK, 0, 0, NULL, 0);
		t = net_poll(N, t);
	}
	T_EQ(t, UINT64_MAX);
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.flags & F_RST, F_RST);
}

static void
tcp_window_update_after_read(void)
{
	struct seg	 s;
	static char	 chunk[1000], buf[NET_RCVBUF];
	uint32_t	 iss, seq = 101;
	int		 h;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40010, 100, 29200, &iss)) >= 0);
	while (seq - 101 + sizeof(chunk) <= NET_RCVBUF) {
		send_tcp(40010, 80, seq, iss + 1, F_ACK, 29200, 0, chunk,
		    sizeof(chunk));
		seq += sizeof(chunk);
	}
	send_tcp(40010, 80, seq, iss + 1, F_ACK, 29200, 0, chunk,
	    NET_RCVBUF - (seq - 101));
	seq = 101 + NET_RCVBUF;
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.wnd, 0);
	T_EQ(s.ack, seq);
	/* Beyond the window: not taken. */
	send_tcp(40010, 80, seq, iss + 1, F_ACK, 29200, 0, chunk, 10);
	T_EQ(parse_tcp(cap.n - 1, &s), 0);
	T_EQ(s.ack, seq);
	cap.n = 0;
	T_EQ(net_read(N, h, buf, 100, now), 100);
	T_EQ(cap.n, 0);				/* too small to announce */
	T_EQ(net_read(N, h, buf, sizeof(buf), now), NET_RCVBUF - 100);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.wnd, NET_RCVBUF);
}

static void
tcp_many_connections(void)
{
	uint32_t	 iss[NET_MAX_CONN + 1];
	struct seg	 s;
	int		 l, h, i;

	setup();
	l = listen80();
	/* More SYNs than blocks: the excess is dropped silently (the client
	 * retries), the others complete. */
	for (i = 0; i <= NET_MAX_CONN; i++) {
		cap.n = 0;
		send_tcp((uint16_t)(50000 + i), 80, 100, 0, F_SYN, 29200,
		    1000, NULL, 0);
		if (i == NET_MAX_CONN) {
			T_EQ(cap.n, 0);
			break;
		}
		T_EQ(parse_tcp(0, &s), 0);
		iss[i] = s.seq;
	}
	for (i = NET_MAX_CONN - 1; i >= 0; i--)
		send_tcp((uint16_t)(50000 + i), 80, 101, iss[i] + 1, F_ACK,
		    29200, 0, NULL, 0);
	/* Accepted in the order they were established. */
	for (i = 0; i < NET_MAX_CONN; i++) {
		h = net_accept(N, l, now);
		T_ASSERT(h >= 0);
		cap.n = 0;
		T_EQ(net_write(N, h, "x", 1, now), 1);
		T_EQ(parse_tcp(0, &s), 0);
		T_EQ(s.dport, 50000 + NET_MAX_CONN - 1 - i);
	}
	/* A half-open connection whose SYN-ACK went unanswered gives way to
	 * a new SYN once the table is full. */
	cap.n = 0;
	send_tcp(60000, 80, 100, 0, F_SYN, 29200, 1000, NULL, 0);
	T_EQ(cap.n, 0);			/* all established: nothing to evict */
	/* Closing the listener resets nothing accepted. */
	T_EQ(net_close(N, l, now), 0);
	T_EQ(net_events(N, l), 0);
}

static void
tcp_syn_flood_evicts_half_open(void)
{
	struct seg	 s;
	uint64_t	 t;
	uint32_t	 iss;
	int		 i, h;

	setup();
	listen80();
	/* Spoofed SYNs fill the table; their SYN-ACKs go unanswered. */
	for (i = 0; i < NET_MAX_CONN; i++)
		send_tcp((uint16_t)(10000 + i), 80, 100, 0, F_SYN, 29200, 1000,
		    NULL, 0);
	t = net_poll(N, now);
	net_poll(N, t);				/* one SYN-ACK retransmission each */
	now = t;
	/* A real client still gets in. */
	T_ASSERT((h = connect_peer(40013, 100, 29200, &iss)) >= 0);
	cap.n = 0;
	T_EQ(net_write(N, h, "hi", 2, now), 2);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.dport, 40013);
}

static void
tcp_device_full_then_retry(void)
{
	struct seg	 s;
	uint32_t	 iss;
	int		 h;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40011, 100, 29200, &iss)) >= 0);
	cap.refuse = 1;
	T_EQ(net_write(N, h, "later", 5, now), 5);
	T_EQ(cap.n, 0);
	cap.refuse = 0;
	net_poll(N, now);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.seq, iss + 1);
	T_EQ(s.len, 5);
}

static void
tcp_close_with_unread_data_resets(void)
{
	struct seg	 s;
	uint32_t	 iss;
	int		 h;

	setup();
	listen80();
	T_ASSERT((h = connect_peer(40012, 100, 29200, &iss)) >= 0);
	send_tcp(40012, 80, 101, iss + 1, F_ACK, 29200, 0, "unread", 6);
	cap.n = 0;
	T_EQ(net_close(N, h, now), 0);
	T_EQ(cap.n, 1);
	T_EQ(parse_tcp(0, &s), 0);
	T_EQ(s.flags & F_RST, F_RST);
}

int
main(void)
{
	T_RUN(parse_ipv4);
	T_RUN(arp_answers_for_us);
	T_RUN(icmp_echo_reply);
	T_RUN(ip_drops_what_it_must);
	T_RUN(arp_resolves_gateway);
	T_RUN(arp_gateway_off_subnet);
	T_RUN(tcp_rst_for_closed_port);
	T_RUN(tcp_handshake);
	T_RUN(tcp_synack_retransmit_then_give_up);
	T_RUN(tcp_data_in_order_only);
	T_RUN(tcp_send_respects_mss_and_window);
	T_RUN(tcp_retransmit_backoff_abort);
	T_RUN(tcp_fast_retransmit);
	T_RUN(tcp_peer_closes_first);
	T_RUN(tcp_we_close_first_time_wait);
	T_RUN(tcp_time_wait_table_recycles);
	T_RUN(tcp_rst_checks);
	T_RUN(tcp_zero_window_probe);
	T_RUN(tcp_orphan_zero_window_gives_up);
	T_RUN(tcp_window_update_after_read);
	T_RUN(tcp_many_connections);
	T_RUN(tcp_syn_flood_evicts_half_open);
	T_RUN(tcp_device_full_then_retry);
	T_RUN(tcp_close_with_unread_data_resets);
	free(N);
	return t_done();
}
