/*
 * fuzz_uknet.c - libFuzzer target for uk/net's input path, driven like a
 * busy unikernel: frames arrive, time passes, the app accepts, reads,
 * writes and closes, in any order the input says.
 *
 * Input: a sequence of commands, each one byte then its operands.
 *   0-3  frame: u16 length, then the frame after an Ethernet header we
 *        prepend (to us, from the peer, ethertype ARP for 0, IPv4 else)
 *   4    raw frame: u16 length, then the whole frame
 *   5    time: u8 steps of 50 ms, then net_poll
 *   6    app: accept on every listener, read and write on every handle
 *   7    app: close the handle named by the next byte
 *   8    segment on connection block u8 K: u8 flags, s8 seq and s8 ack
 *        offsets from its rcv_nxt and snd_nxt, u16 window, u8 length,
 *        data; well-formed, checksummed. Sequence numbers are what a
 *        fuzzer cannot guess (the ISN is keyed), so this reaches the
 *        states after the handshake: FIN_WAIT, CLOSING, LAST_ACK...
 *   9    SYN: u16 source port, u8 port choice (80, 8080, 81), u32 seq
 * The first byte's low bit turns checksum checking on (hard for a fuzzer
 * to get through by itself, so mostly off). Every frame the stack sends
 * is checked: it must fit a frame and carry a valid IPv4 header checksum;
 * after every command the connection blocks must be self-consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uk/include/uk.h"
#include "uk/net/net.h"
#include "uk/net/tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUR_IP		0x0a00020f
#define PEER_IP		0x0a000201

static const uint8_t	 OUR_MAC[6] = { 2, 0, 0, 0, 0, 0x0f };
static const uint8_t	 PEER_MAC[6] = { 2, 0, 0, 0, 0, 0x01 };
static struct net	*N;

static uint16_t
sum16(const uint8_t *p, size_t len)
{
	uint32_t	 s = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int
check_tx(void *arg, const void *frame, size_t len)
{
	const uint8_t	*f = frame;

	(void)arg;
	if (len < 14 || len > NET_FRAME_MAX)
		abort();
	if (f[12] == 0x08 && f[13] == 0x00) {
		if (len < 34 || (size_t)(f[16] << 8 | f[17]) + 14 != len ||
		    sum16(f + 14, 20) != 0)
			abort();
	}
	return 0;
}

static void
w16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
w32(uint8_t *p, uint32_t v)
{
	w16(p, v >> 16);
	w16(p + 2, v & 0xffff);
}

static uint16_t
csum_tcp(const uint8_t *th, size_t len)
{
	uint32_t	 s = (PEER_IP >> 16) + (PEER_IP & 0xffff) +
			    (OUR_IP >> 16) + (OUR_IP & 0xffff) + 6 + (uint32_t)len;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(th[i] << 8 | th[i + 1]);
	if (len & 1)
		s += (uint32_t)th[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A well-formed TCP segment from the peer; DATA may be NULL. */
static void
segment(uint64_t now, uint16_t sport, uint16_t dport, uint32_t seq,
    uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *data,
    size_t len)
{
	uint8_t		 f[NET_FRAME_MAX];
	uint8_t		*ip = f + 14, *th = ip + 20;

	memcpy(f, OUR_MAC, 6);
	memcpy(f + 6, PEER_MAC, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	w16(ip + 2, (uint32_t)(40 + len));
	ip[8] = 64;
	ip[9] = 6;
	w32(ip + 12, PEER_IP);
	w32(ip + 16, OUR_IP);
	w16(ip + 10, sum16(ip, 20));
	w16(th, sport);
	w16(th + 2, dport);
	w32(th + 4, seq);
	w32(th + 8, ack);
	th[12] = 0x50;
	th[13] = flags;
	w16(th + 14, wnd);
	if (len > 0)
		memcpy(th + 20, data, len);
	w16(th + 16, csum_tcp(th, 20 + len));
	net_input(N, f, 54 + len, now);
}

/* What must hold for every live connection block after any input. */
static void
check_invariants(void)
{
	const struct net_tcb	*t, *u;
	int			 i, j;

	for (i = 0; i < NET_MAX_CONN; i++) {
		t = &N->tcb[i];
		if (t->state <= TCP_CLOSED)
			continue;
		if (t->sb_len > NET_SNDBUF || t->rb_len > NET_RCVBUF ||
		    t->sb_head >= NET_SNDBUF || t->rb_head >= NET_RCVBUF ||
		    t->mss < 64 || t->mss > TCP_MSS_MAX || t->cwnd == 0 ||
		    t->rto == 0 || t->rto > TCP_RTO_MAX || (t->app && !t->accepted))
			abort();
		if (t->state == TCP_SYN_RCVD) {
			if (t->snd_una != t->iss || t->snd_nxt != t->iss + 1)
				abort();
		} else if (SEQ_GT(t->snd_una, t->snd_nxt) ||
		    SEQ_GT(t->snd_nxt, t->snd_max) ||
		    t->snd_max - t->snd_una > t->sb_len + t->closed)
			abort();
		for (j = i + 1; j < NET_MAX_CONN; j++) {
			u = &N->tcb[j];
			if (u->state > TCP_CLOSED && u->raddr == t->raddr &&
			    u->rport == t->rport && u->lport == t->lport)
				abort();
		}
	}
}

static void
app(uint64_t now)
{
	static char	 buf[4096];
	int		 h;

	for (h = 0; h < NET_MAX_LISTEN; h++)
		(void)net_accept(N, h, now);
	for (h = NET_MAX_LISTEN; h < NET_MAX_LISTEN + NET_MAX_CONN; h++) {
		(void)net_events(N, h);
		(void)net_read(N, h, buf, sizeof(buf), now);
		(void)net_write(N, h, buf, sizeof(buf), now);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_config	 cfg;
	struct net_tcb		*t;
	uint8_t			 f[NET_FRAME_MAX];
	uint64_t		 now = 1000000000ULL;
	size_t			 i = 1, len;
	uint8_t			 op;

	if (size < 1)
		return 0;
	if (N == NULL && (N = calloc(1, sizeof(*N))) == NULL)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.mac, OUR_MAC, 6);
	cfg.addr = OUR_IP;
	cfg.netmask = 0xffffff00;
	cfg.gateway = PEER_IP;
	cfg.secret = 42;
	cfg.rx_csum_trusted = (data[0] & 1) == 0;
	net_init(N, &cfg, check_tx, NULL);
	(void)net_listen(N, 80);
	(void)net_listen(N, 8080);
	while (i < size) {
		check_invariants();
		op = data[i++] % 10;
		switch (op) {
		case 8:
			if (i + 7 > size)
				return 0;
			t = &N->tcb[data[i] % NET_MAX_CONN];
			len = data[i + 6];
			if (len > size - i - 7)
				len = size - i - 7;
			segment(now, t->rport, t->lport,
			    t->rcv_nxt + (uint32_t)(int8_t)data[i + 2],
			    t->snd_nxt + (uint32_t)(int8_t)data[i + 3],
			    data[i + 1], (uint16_t)(data[i + 4] << 8 | data[i + 5]),
			    data + i + 7, len);
			i += 7 + len;
			continue;
		case 9:
			if (i + 7 > size)
				return 0;
			segment(now, (uint16_t)(data[i] << 8 | data[i + 1]),
			    data[i + 2] % 3 == 0 ? 80 : data[i + 2] % 3 == 1 ?
			    8080 : 81, (uint32_t)data[i + 3] << 24 |
			    (uint32_t)data[i + 4] << 16 | (uint32_t)data[i + 5] << 8 |
			    data[i + 6], 0, 0x02, 29200, NULL, 0);
			i += 7;
			continue;
		case 5:
			if (i < size)
				now += (uint64_t)data[i++] * 50000000ULL;
			(void)net_poll(N, now);
			continue;
		case 6:
			app(now);
			continue;
		case 7:
			if (i < size)
				(void)net_close(N, data[i++] % (NET_MAX_LISTEN +
				    NET_MAX_CONN + 1), now);
			continue;
		}
		if (i + 2 > size)
			break;
		len = (size_t)(data[i] << 8 | data[i + 1]) % (NET_FRAME_MAX + 1);
		i += 2;
		if (len > size - i)
			len = size - i;
		if (op == 4) {
			net_input(N, data + i, len, now);
		} else {
			if (len > NET_FRAME_MAX - 14)
				len = NET_FRAME_MAX - 14;
			memcpy(f, OUR_MAC, 6);
			memcpy(f + 6, PEER_MAC, 6);
			f[12] = 0x08;
			f[13] = op == 0 ? 0x06 : 0x00;
			memcpy(f + 14, data + i, len);
			net_input(N, f, len + 14, now);
		}
		i += len;
	}
	check_invariants();
	return 0;
}
