/*
 * libFuzzer target: any bytes as a DNS request, answered over UDP and TCP
 * and in place, and parsed as a message. Besides the sanitizers, it traps
 * when a reply breaks a rule: longer than its limit, not a well-formed
 * message, or different when answered in place.
 */
#include <arpa/inet.h>
#include <string.h>

#include "dns/db.h"
#include "dns/query.h"
#include "dns/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_db *
fuzz_db(void)
{
	struct dns_db *db = dns_db_new(30, 1);
	struct in_addr a[2];
	struct in6_addr aaaa[40];

	inet_pton(AF_INET, "127.77.0.2", &a[0]);
	inet_pton(AF_INET, "127.77.0.3", &a[1]);
	for (int i = 0; i < 40; i++) {
		inet_pton(AF_INET6, "fd00::100", &aaaa[i]);
		aaaa[i].s6_addr[15] = (uint8_t)i;
	}
	dns_db_add_zone(db, "example.test");
	dns_db_add_zone(db, "inner.example.test");
	dns_db_add_ns_addr(db, AF_INET, &a[0]);
	dns_db_add_ns_addr(db, AF_INET6, &aaaa[0]);
	dns_db_add_name(db, "www.example.test", 0, a, 2, aaaa, 1);
	dns_db_add_name(db, "v4.example.test", 1, a, 1, NULL, 0);
	dns_db_add_name(db, "a.b.c.example.test", -1, a, 1, NULL, 0);
	dns_db_add_name(db, "big.example.test", 2, NULL, 0, aaaa, 40);
	dns_db_add_name(db, "x.inner.example.test", 3, a, 2, NULL, 0);
	dns_db_set_service_status(db, 1, DNS_SVC_SERVFAIL);
	return db;
}

/* The same names under an explicit NS set (in-zone with glue, and out
 * of zone) and set SOA timers: the other NS and SOA writers. */
static struct dns_db *
fuzz_db_ns(void)
{
	struct dns_db *db = dns_db_new(30, 1);
	struct in_addr a;
	struct in6_addr aaaa;

	inet_pton(AF_INET, "192.0.2.1", &a);
	inet_pton(AF_INET6, "2001:db8::1", &aaaa);
	dns_db_set_soa(db, 7200, 600, 86400, 5);
	dns_db_add_ns(db, "ns1.example.test", &a, 1, &aaaa, 1);
	dns_db_add_ns(db, "ns.provider.net", NULL, 0, NULL, 0);
	dns_db_add_zone(db, "inner.example.test");
	dns_db_add_zone(db, "example.test");
	dns_db_add_name(db, "www.example.test", 0, &a, 1, &aaaa, 1);
	dns_db_add_name(db, "x.inner.example.test", 1, &a, 1, NULL, 0);
	dns_db_set_service_status(db, 1, DNS_SVC_SERVFAIL);
	return db;
}

static uint8_t resp[65535], inplace[65535];

/* The parsers and name converters on the raw bytes. */
static void
fuzz_names(const uint8_t *data, size_t size)
{
	struct dns_question q;
	char text[DNS_NAME_TEXT_MAX];
	uint8_t w[DNS_NAME_MAX];
	size_t off = DNS_HDR_LEN;
	int n;

	(void)dns_msg_check(data, size);
	if (size > DNS_HDR_LEN && dns_question_read(data, size, &off, &q) == 0 &&
	    dns_name_to_text(q.name, q.namelen, text, sizeof(text)) >= 0 &&
	    (n = dns_name_from_text(text, w, sizeof(w))) >= 0 &&
	    !dns_name_equal(w, (size_t)n, q.name, q.namelen))
		__builtin_trap();
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		if ((n = dns_name_from_text(text, w, sizeof(w))) >= 0 &&
		    dns_name_to_text(w, (size_t)n, text, sizeof(text)) < 0)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_db *db1, *db2;
	const struct dns_db *db;
	struct dns_qinfo qi, qi2;
	size_t n = 0, n2;

	if (db1 == NULL) {
		db1 = fuzz_db();
		db2 = fuzz_db_ns();
	}
	db = size & 2 ? db2 : db1;
	for (int udp = 1; udp >= 0; udp--) {
		size_t cap = udp ? 1232 : sizeof(resp);

		n = dns_query(db, data, size, resp, cap, udp, size & 1, &qi);
		if (n > cap || (n > 0) != (qi.action == DNS_ACT_REPLY) ||
		    (n > 0 && (dns_msg_check(resp, n) != 0 ||
		    !dns_hdr_qr(resp) || dns_hdr_id(resp) != qi.id)))
			__builtin_trap();
	}
	if (size <= sizeof(inplace)) {
		memcpy(inplace, data, size);
		n2 = dns_query(db, inplace, size, inplace, sizeof(inplace),
		    false, size & 1, &qi2);
		if (n2 != n || memcmp(inplace, resp, n) != 0)
			__builtin_trap();
	}
	fuzz_names(data, size);
	return 0;
}
