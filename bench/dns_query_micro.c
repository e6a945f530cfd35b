/*
 * bench/dns_query_micro.c - nanoseconds per dns_query() call, no sockets:
 * the cost of the query logic alone, against which the transports' cost
 * can be judged. Build and run with bench/dns_query_micro.sh.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dns/db.h"
#include "dns/query.h"
#include "dns/wire.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
run(const struct dns_db *db, const char *label, const char *name,
    uint16_t qtype, long iters)
{
	static uint8_t req[512], resp[1232];
	struct dns_qinfo qi;
	size_t total = 0;
	int len = dns_msg_build_query(req, sizeof(req), 1, name, qtype,
	    DNS_C_IN, true, 1232, false);
	double t0, t1;

	if (len < 0)
		exit(1);
	t0 = now();
	for (long i = 0; i < iters; i++) {
		req[1] = (uint8_t)i;	/* so nothing is hoisted out */
		total += dns_query(db, req, (size_t)len, resp, sizeof(resp),
		    true, false, &qi);
	}
	t1 = now();
	printf("%-28s %7.1f ns/query  (%zu bytes/reply)\n", label,
	    (t1 - t0) / (double)iters, total / (size_t)iters);
}

int
main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 10000000;
	struct dns_db *db = dns_db_new(30, 1);
	struct in_addr a;
	char name[64];

	if (db == NULL || dns_db_add_zone(db, "example.test") < 0)
		return 1;
	/* 10,000 names so the table is not a toy */
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "s%d.example.test", i);
		a.s_addr = htonl(0x7f4d0000u | (uint32_t)i);
		if (dns_db_add_name(db, name, i, &a, 1, NULL, 0) < 0)
			return 1;
	}
	run(db, "A hit (EDNS)", "s4242.example.test", DNS_T_A, iters);
	run(db, "A hit, mixed case", "S4242.Example.TEST", DNS_T_A, iters);
	run(db, "NODATA (AAAA)", "s4242.example.test", DNS_T_AAAA, iters);
	run(db, "NXDOMAIN", "nope.example.test", DNS_T_A, iters);
	run(db, "REFUSED (outside)", "www.example.org", DNS_T_A, iters);
	dns_db_free(db);
	return 0;
}
