/* Unit tests of the libvirt keys: [host NAME] sections, hosts =, the
 * implicit host of uri =, and their checks. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "tests/lib/t.h"

static struct config *
parse(const char *text)
{
	struct config *c = config_new();

	config_parse_string(c, "t.conf", text);
	config_check(c);
	return c;
}

static int
has_error(const struct config *c, const char *want)
{
	for (int i = 0; i < c->nerrors; i++)
		if (strcmp(c->errors[i], want) == 0)
			return 1;
	for (int i = 0; i < c->nerrors; i++)
		printf("  (error was: %s)\n", c->errors[i]);
	return 0;
}

#define HEAD "[jitsud]\nzone = example.test\n"

static void
hosts_and_services(void)
{
	struct config *c = parse(HEAD
	    "[host a]\nuri = qemu:///system\nmemory = 256M\n"
	    "[host b]\nuri = qemu+tcp://10.99.0.2/system\nmemory = 1G\n"
	    "network = 10.98.0.0/16\n"
	    "[service www]\ndns = www.example.test\naddress = 10.77.0.2\n"
	    "backend = libvirt\nimage = /x.vm\nports = tcp:80\nhosts = b, a\n"
	    "precreate = yes\n");
	char s[INET_ADDRSTRLEN];

	T_EQ(c->nerrors, 0);
	T_EQ(c->nhosts, 2);
	T_ASSERT(strcmp(c->hosts[1].uri, "qemu+tcp://10.99.0.2/system") == 0);
	T_EQ(c->hosts[0].memory, 256ULL << 20);
	T_EQ(c->hosts[1].network.prefix, 16);
	T_ASSERT(strcmp(inet_ntop(AF_INET, &c->hosts[1].network.base, s,
	    sizeof(s)), "10.98.0.0") == 0);
	/* a got the default network. */
	T_EQ(c->hosts[0].network.prefix, CFG_HOST_PREFIX);
	T_EQ(c->svcs[0].nhostv, 2);
	T_EQ(c->svcs[0].hostv[0], 1);
	T_EQ(c->svcs[0].hostv[1], 0);
	T_EQ(c->svcs[0].precreate, 1);
	T_ASSERT(c->svcs[0].hostp[0] == &c->hosts[1]);
	config_free(c);
}

static void
implicit_host(void)
{
	struct config *c = parse(HEAD
	    "[service one]\ndns = one.example.test\naddress = 10.77.0.2\n"
	    "backend = libvirt\nimage = /x.vm\nports = 80\n"
	    "[service two]\ndns = two.example.test\naddress = 10.77.0.3\n"
	    "backend = libvirt\nimage = /x.vm\nports = 80\n"
	    "uri = qemu:///system\n");

	T_EQ(c->nerrors, 0);
	/* Both name qemu:///system (one by default): one host, shared. */
	T_EQ(c->nhosts, 1);
	T_ASSERT(c->hosts[0].implicit);
	T_ASSERT(strcmp(c->hosts[0].name, "qemu:///system") == 0);
	T_EQ(c->svcs[0].nhostv, 1);
	T_EQ(c->svcs[1].nhostv, 1);
	T_EQ(c->svcs[1].hostv[0], 0);
	config_free(c);
}

static void
errors(void)
{
	struct config *c = parse(HEAD
	    "[host a]\nmemory = 1G\n"				/* 3 */
	    "[host b]\nuri = qemu:///system\nnetwork = 169.254.100.0/24\n"
	    "[host b]\n"					/* 8 */
	    "[host c]\nuri = x\nnetwork = 10.1.2.3/16\nbogus = 1\n"
	    "[service www]\ndns = www.example.test\naddress = 10.77.0.2\n"
	    "backend = libvirt\nimage = /x.vm\nhosts = a nope\n"
	    "uri = qemu:///system\nports = udp:53\n");

	T_ASSERT(has_error(c, "t.conf:3: host a: no uri (add uri = "
	    "qemu:///system or qemu+tcp://HOST/system)"));
	T_ASSERT(has_error(c, "t.conf:8: duplicate host \"b\""));
	T_ASSERT(has_error(c, "t.conf:11: bad network (address bits set past "
	    "the prefix): network = 10.1.2.3/16"));
	T_ASSERT(has_error(c, "t.conf:12: unknown key \"bogus\" in [host]"));
	T_ASSERT(has_error(c, "t.conf:18: service www: no [host nope]"));
	T_ASSERT(has_error(c, "t.conf:13: service www: uri = and hosts = "
	    "together (a host's uri belongs in its [host] section)"));
	T_ASSERT(has_error(c, "t.conf:13: service www: backend libvirt relays "
	    "tcp ports only"));
	/* a's default network holds b's. */
	T_ASSERT(has_error(c, "t.conf:5: host b: network overlaps host a's "
	    "(set network = apart)"));
	config_free(c);
	c = parse(HEAD "[service www]\ndns = www.example.test\n"
	    "address = 10.77.0.2\nbackend = libvirt\nimage = /x.vm\n");
	T_ASSERT(has_error(c, "t.conf:3: service www: backend libvirt needs "
	    "ports = (relayed to the guest)"));
	config_free(c);
	c = parse(HEAD "[service www]\ndns = www.example.test\n"
	    "address = 10.77.0.2\nbackend = libvirt\n");
	T_ASSERT(has_error(c, "t.conf:3: service www: backend libvirt needs "
	    "image = or domain ="));
	config_free(c);
}

static void
spec_hosts(void)
{
	struct config *c = config_new();

	config_parse_string(c, "t.conf", HEAD "[host a]\nuri = test:///default\n"
	    "network = 10.5.0.0/24\n[host b]\nuri = test:///default\n"
	    "network = 10.6.0.0/24\n");
	config_parse_spec(c, "name=www,dns=www.example.test,address=10.77.0.2,"
	    "backend=libvirt,domain=existing,hosts=a,b", 1);
	config_check(c);
	T_EQ(c->nerrors, 0);
	T_EQ(c->svcs[0].nhosts, 2);
	T_EQ(c->svcs[0].nhostv, 2);
	T_ASSERT(strcmp(c->svcs[0].domain, "existing") == 0);
	config_free(c);
}

int
main(void)
{
	T_RUN(hosts_and_services);
	T_RUN(implicit_host);
	T_RUN(errors);
	T_RUN(spec_hosts);
	return t_done();
}
