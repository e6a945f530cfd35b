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
 * The first byte's low bit turns checksum checking on (hard for a fuzzer
 * to get through, so mostly off). Every frame the stack sends is checked:
 * it must fit a frame and carry a valid IPv4 header checksum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uk/include/uk.h"
#include "uk/net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	cfg.addr = 0x0a00020f;
	cfg.netmask = 0xffffff00;
	cfg.gateway = 0x0a000201;
	cfg.secret = 42;
	cfg.rx_csum_trusted = (data[0] & 1) == 0;
	net_init(N, &cfg, check_tx, NULL);
	(void)net_listen(N, 80);
	(void)net_listen(N, 8080);
	while (i < size) {
		op = data[i++] & 7;
		switch (op) {
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
	return 0;
}
