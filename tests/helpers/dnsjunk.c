/*
 * dnsjunk - throws malformed DNS packets at a server over UDP and TCP,
 * then checks that it still answers a good query. For the "nothing a
 * client sends may crash jitsud or make it stop answering others" rule.
 *
 *   dnsjunk ADDR PORT NAME     (exit 0: still answering; prints counts)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/wire.h"

static struct sockaddr_in sa;

static int
udp_ask(const uint8_t *q, size_t n, uint8_t *r, size_t cap, int wait_ms)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t got = -1;

	if (fd < 0)
		return -1;
	if (sendto(fd, q, n, 0, (struct sockaddr *)&sa, sizeof(sa)) >= 0 &&
	    poll(&p, 1, wait_ms) == 1)
		got = recv(fd, r, cap, 0);
	close(fd);
	return (int)got;
}

static int
tcp_send_junk(const uint8_t *buf, size_t n)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint8_t sink[512];

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	(void)!write(fd, buf, n);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 50) == 1)
		(void)!read(fd, sink, sizeof(sink));
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t q[512], r[4096], junk[600];
	int n, i, answered = 0, sent = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: dnsjunk ADDR PORT NAME\n");
		return 2;
	}
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	n = dns_msg_build_query(q, sizeof(q), 0x4242, argv[3], DNS_T_A, DNS_C_IN,
	    false, 1232, false);
	if (n < 0)
		return 2;

	/* Handcrafted shapes: short, truncated, bad labels, pointer loops. */
	static const uint8_t shapes[][32] = {
		{ 0 },
		{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 },
		{ 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 },
		{ 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f, 'a' },
		{ 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0e, 0xc0, 0x0c },
		{ 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1 },
		{ 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1 },
		{ 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 9, 1, 'a', 0, 0, 1, 0, 1, 0, 0, 41 },
	};
	for (i = 0; i < (int)(sizeof(shapes) / sizeof(shapes[0])); i++) {
		udp_ask(shapes[i], (size_t)(i == 0 ? 1 : 12 + i * 2), r,
		    sizeof(r), 5);
		sent++;
	}
	/* Random mutations of the good query. */
	for (i = 0; i < 2000; i++) {
		size_t len = (size_t)n;
		memcpy(junk, q, len);
		uint8_t rnd[8];
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return 2;
		for (int k = 0; k < 4; k++)
			junk[rnd[k] % len] = rnd[k + 4];
		if (rnd[0] & 1)
			len = rnd[1] % (len + 1);
		udp_ask(junk, len, r, sizeof(r), 0);
		sent++;
	}
	/* TCP: a length prefix that lies, a huge length, garbage. */
	uint8_t t1[] = { 0xff, 0xff, 1, 2, 3 };
	uint8_t t2[] = { 0x00, 0x02, 0, 0 };
	uint8_t t3[] = { 0x00 };
	tcp_send_junk(t1, sizeof(t1));
	tcp_send_junk(t2, sizeof(t2));
	tcp_send_junk(t3, sizeof(t3));
	for (i = 0; i < 5; i++) {
		int got = udp_ask(q, (size_t)n, r, sizeof(r), 1000);
		if (got >= DNS_HDR_LEN && dns_hdr_id(r) == 0x4242 &&
		    dns_hdr_ancount(r) >= 1)
			answered++;
	}
	printf("sent %d malformed packets; %d/5 good queries answered\n", sent,
	    answered);
	return answered == 5 ? 0 : 1;
}
