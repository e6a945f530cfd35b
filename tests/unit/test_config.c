/* Unit tests of the configuration: values, sections, SPECs, checks. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/folder.h"
#include "config/values.h"
#include "tests/lib/t.h"

static struct config *
parse(const char *text)
{
	struct config *c = config_new();

	config_parse_string(c, "t.conf", text);
	config_check(c);
	return c;
}

/* True when some error equals want exactly. */
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

static void
durations(void)
{
	uint64_t ms;
	const char *why;

	T_ASSERT(parse_duration_ms("30s", &ms, &why) == 0 && ms == 30000);
	T_ASSERT(parse_duration_ms("500ms", &ms, &why) == 0 && ms == 500);
	T_ASSERT(parse_duration_ms("2m", &ms, &why) == 0 && ms == 120000);
	T_ASSERT(parse_duration_ms("1h", &ms, &why) == 0 && ms == 3600000);
	T_ASSERT(parse_duration_ms("7", &ms, &why) == 0 && ms == 7000);
	T_ASSERT(parse_duration_ms("0", &ms, &why) == 0 && ms == 0);
	T_ASSERT(parse_duration_ms("5x", &ms, &why) < 0);
	T_ASSERT(parse_duration_ms("-5s", &ms, &why) < 0);
	T_ASSERT(parse_duration_ms("", &ms, &why) < 0);
	T_ASSERT(parse_duration_ms("99999999999999999999d", &ms, &why) < 0);
}

static void
sizes(void)
{
	uint64_t b;
	const char *why;

	T_ASSERT(parse_size("64M", &b, &why) == 0 && b == 64ULL << 20);
	T_ASSERT(parse_size("1G", &b, &why) == 0 && b == 1ULL << 30);
	T_ASSERT(parse_size("512K", &b, &why) == 0 && b == 512ULL << 10);
	T_ASSERT(parse_size("4096", &b, &why) == 0 && b == 4096);
	T_ASSERT(parse_size("64Q", &b, &why) < 0);
	T_ASSERT(parse_size("M", &b, &why) < 0);
	T_ASSERT(parse_size("99999999999T", &b, &why) < 0);
}

static void
addresses(void)
{
	struct cfg_addr a;
	const char *why;
	char buf[64];

	T_ASSERT(parse_ip_port("127.0.0.1:5353", 53, &a, &why) == 0);
	T_EQ(a.family, AF_INET);
	T_EQ(a.port, 5353);
	T_ASSERT(parse_ip_port("[::1]:53", 1, &a, &why) == 0);
	T_EQ(a.family, AF_INET6);
	T_EQ(a.port, 53);
	T_ASSERT(parse_ip_port("::1", 53, &a, &why) == 0 && a.port == 53);
	T_ASSERT(parse_ip_port("10.0.0.1", 53, &a, &why) == 0 && a.port == 53);
	cfg_addr_format(&a, buf, sizeof(buf));
	T_ASSERT(strcmp(buf, "10.0.0.1:53") == 0);
	T_ASSERT(parse_ip_port("10.0.0.1:0", 53, &a, &why) < 0);
	T_ASSERT(parse_ip_port("10.0.0.1:65536", 53, &a, &why) < 0);
	T_ASSERT(parse_ip_port("[::1", 53, &a, &why) < 0);
	T_ASSERT(parse_ip_port("300.0.0.1", 53, &a, &why) < 0);
	T_ASSERT(parse_ip("fd00::3", &a, &why) == 0 && a.family == AF_INET6);
	T_ASSERT(parse_ip("127.0.0.1:80", &a, &why) < 0);
}

static void
ports(void)
{
	struct cfg_port p[4];
	int n = 0;
	const char *why;

	T_ASSERT(parse_ports("tcp:80, udp:53,443", p, &n, 4, &why) == 0);
	T_EQ(n, 3);
	T_EQ(p[0].port, 80);
	T_EQ(p[1].proto, IPPROTO_UDP);
	T_EQ(p[2].proto, IPPROTO_TCP);
	T_ASSERT(parse_ports("sctp:1", p, &n, 4, &why) < 0);
	T_ASSERT(parse_ports("tcp:80", p, &n, 4, &why) < 0);	/* duplicate */
	T_ASSERT(parse_ports("tcp:81,tcp:82", p, &n, 4, &why) < 0); /* too many */
}

static void
good_file(void)
{
	struct config *c = parse(
	    "; comment\n"
	    "[jitsud]\n"
	    "dns = 127.0.0.1:5353   ; inline comment\n"
	    "dns = [::1]:5353\n"
	    "zone = example.test\n"
	    "ttl = 5\n"
	    "forward = 192.0.2.53\n"
	    "\n"
	    "[service www]\n"
	    "dns = www.example.test\n"
	    "dns = WWW2.Example.Test.\n"
	    "address = 127.77.0.2\n"
	    "address = fd00::2\n"
	    "image = build/uk/hello.unix\n"
	    "ports = tcp:80\n"
	    "idle = 30s\n"
	    "stop = suspend\n"
	    "memory = 64M\n");

	T_EQ(c->nerrors, 0);
	T_EQ(c->d.ndns, 2);
	T_EQ(c->d.ttl, 5);
	T_EQ(c->d.forward.port, 53);
	T_EQ(c->nsvcs, 1);
	T_ASSERT(strcmp(c->svcs[0].name, "www") == 0);
	T_EQ(c->svcs[0].ndns, 2);
	T_EQ(c->svcs[0].naddrs, 2);
	T_EQ(c->svcs[0].backend, BACKEND_EXEC);	/* implied by image */
	T_EQ(c->svcs[0].sandbox, SANDBOX_STRICT); /* a uk .unix image */
	T_EQ(c->svcs[0].idle_ms, 30000);
	T_EQ(c->svcs[0].stop, STOP_SUSPEND);
	T_EQ(c->svcs[0].memory, 64 << 20);
	T_EQ(c->svcs[0].line, 9);
	config_free(c);
}

static void
defaults(void)
{
	struct config *c = parse("[jitsud]\nzone = t\n[service a]\n"
	    "dns = a.t\naddress = 127.0.0.9\n");

	T_EQ(c->nerrors, 0);
	T_EQ(c->d.ndns, 1);			/* 127.0.0.1:53 */
	T_EQ(c->d.dns[0].port, 53);
	T_EQ(c->d.ttl, 1);
	T_EQ(c->d.forward.family, 0);		/* not an open resolver */
	T_EQ(c->svcs[0].backend, BACKEND_NONE);
	T_EQ(c->svcs[0].stop, STOP_DESTROY);
	config_free(c);
}

static void
errors_have_file_and_line(void)
{
	struct config *c = parse(
	    "[jitsud]\n"
	    "zone = example.test\n"
	    "bogus = 1\n"					/* 3 */
	    "dns = 127.0.0.1:99999\n"				/* 4 */
	    "[service www]\n"
	    "dns = www.other.test\n"				/* 6 */
	    "address = 127.0.0.300\n"				/* 7 */
	    "idle = forever\n"					/* 8 */
	    "memory = 12Q\n"					/* 9 */
	    "[service www]\n"					/* 10 */
	    "[service two]\n"
	    "dns = www.example.test\n"
	    "address = 127.0.0.3\n"
	    "[service three]\n"
	    "dns = www.example.test\n"				/* 15 */
	    "address = 127.0.0.4\n"
	    "[weird]\n"						/* 17 */
	    "x = 1\n");

	T_ASSERT(has_error(c, "t.conf:3: unknown key \"bogus\" in [jitsud]"));
	T_ASSERT(has_error(c, "t.conf:4: bad port (want 1-65535): dns = 127.0.0.1:99999"));
	T_ASSERT(has_error(c, "t.conf:6: service www: dns name \"www.other.test\" is outside every zone"));
	T_ASSERT(has_error(c, "t.conf:7: bad address (want an IPv4 or IPv6 address): address = 127.0.0.300"));
	T_ASSERT(has_error(c, "t.conf:8: bad duration (want e.g. 500ms, 30s, 5m, 1h): idle = forever"));
	T_ASSERT(has_error(c, "t.conf:9: bad size (want e.g. 64M, 1G, 512K): memory = 12Q"));
	T_ASSERT(has_error(c, "t.conf:10: duplicate service \"www\""));
	T_ASSERT(has_error(c, "t.conf:15: service three: dns name \"www.example.test\" already belongs to service two"));
	T_ASSERT(has_error(c, "t.conf:17: unknown section [weird] (want [jitsud], [service NAME] or [host NAME])"));
	config_free(c);
}

static void
ns_name_reserved(void)
{
	struct config *c = parse("[jitsud]\nzone = t\n[service a]\n"
	    "dns = NS.t\naddress = 127.0.0.9\n");

	T_ASSERT(has_error(c, "t.conf:4: service a: dns name \"NS.t\" is reserved for the zone's name server"));
	config_free(c);
}

static void
syntax_error(void)
{
	struct config *c = parse("[jitsud]\nzone = t\nthis is not ini\n");

	T_ASSERT(has_error(c, "t.conf:3: syntax error (want key = value or [section])"));
	config_free(c);
}

static void
missing_file(void)
{
	struct config *c = config_new();

	config_parse_file(c, "/nonexistent/jitsud.conf");
	T_ASSERT(has_error(c, "/nonexistent/jitsud.conf: No such file or directory"));
	config_free(c);
}

static void
backend_needs(void)
{
	struct config *c = parse("[jitsud]\nzone = t\n[service a]\ndns = a.t\n"
	    "address = 127.0.0.9\nbackend = exec\n"
	    "[service q]\ndns = q.t\naddress = fd00::1\nbackend = qemu\nimage = x\n");

	T_ASSERT(has_error(c, "t.conf:3: service a: backend exec needs image ="));
	T_ASSERT(has_error(c, "t.conf:7: service q: backend qemu needs exactly one IPv4 address"));
	config_free(c);
}

static void
spec_adds_service(void)
{
	struct config *c = config_new();

	config_parse_string(c, "t.conf", "[jitsud]\nzone = example.test\n");
	config_parse_spec(c, "name=www,dns=www.example.test,address=127.77.0.2,"
	    "image=/bin/true,ports=tcp:80,tcp:443,idle=5s", 1);
	config_check(c);
	T_EQ(c->nerrors, 0);
	T_EQ(c->nsvcs, 1);
	T_EQ(c->svcs[0].nports, 2);	/* the comma inside ports= survives */
	T_EQ(c->svcs[0].ports[1].port, 443);
	T_EQ(c->svcs[0].idle_ms, 5000);
	T_EQ(c->svcs[0].backend, BACKEND_EXEC);
	T_EQ(c->svcs[0].sandbox, SANDBOX_DEFAULT);
	config_free(c);
}

static void
spec_errors(void)
{
	struct config *c = config_new();

	config_parse_string(c, "t.conf", "[jitsud]\nzone = example.test\n");
	config_parse_spec(c, "dns=x.example.test", 1);
	config_parse_spec(c, "name=a,colour=blue,address=1.2.3.4,dns=a.example.test", 2);
	config_parse_spec(c, "name=b,dns=b.elsewhere,address=1.2.3.4", 3);
	config_check(c);
	T_ASSERT(has_error(c, "argument 1: SPEC needs name="));
	T_ASSERT(has_error(c, "argument 2: unknown key \"colour\""));
	T_ASSERT(has_error(c, "argument 3: service b: dns name \"b.elsewhere\" is outside every zone"));
	config_free(c);
}

static void
name_in_zone(void)
{
	T_ASSERT(config_name_in_zone("www.example.test", "example.test"));
	T_ASSERT(config_name_in_zone("WWW.Example.TEST.", "example.test"));
	T_ASSERT(config_name_in_zone("example.test", "example.test."));
	T_ASSERT(!config_name_in_zone("wwwexample.test", "example.test"));
	T_ASSERT(!config_name_in_zone("test", "example.test"));
	T_ASSERT(config_name_in_zone("anything", "."));
}


/* ns =, soa_* and the wildcard rule (issue 10). */
static void
dns_zone_keys(void)
{
	struct config *c;

	c = parse("[jitsud]\nzone = example.test\n"
	    "ns = ns1.example.test 192.0.2.1 2001:db8::1\n"
	    "ns = ns.provider.net\nsoa_refresh = 2h\nsoa_retry = 10m\n"
	    "soa_minimum = 30s\n");
	T_EQ(c->nerrors, 0);
	T_EQ(c->d.nns, 2);
	T_ASSERT(strcmp(c->d.ns[0].name, "ns1.example.test") == 0);
	T_EQ(c->d.ns[0].naddrs, 2);
	T_EQ(c->d.ns[0].addrs[1].family, AF_INET6);
	T_EQ(c->d.ns[1].naddrs, 0);
	T_EQ(c->d.soa_refresh_ms, 7200000);
	T_EQ(c->d.soa_retry_ms, 600000);
	T_EQ(c->d.soa_minimum_ms, 30000);
	config_free(c);

	c = parse("[jitsud]\nzone = example.test\ndns = 0.0.0.0:53\n");
	T_ASSERT(has_error(c, "t.conf:3: dns = 0.0.0.0:53 is a wildcard "
	    "address, which no client can be sent to: name the zones' name "
	    "servers with ns = NAME ADDRESS..."));
	config_free(c);
	c = parse("[jitsud]\nzone = example.test\ndns = [::]:53\n"
	    "ns = ns1.example.test ::1\n");
	T_EQ(c->nerrors, 0);
	config_free(c);

	c = parse("[jitsud]\nzone = example.test\nns = ns1.example.test\n"
	    "ns = ns.provider.net 192.0.2.9\nns = ns.provider.net\n"
	    "ns = ns2.example.test 1.2.3\n");
	T_ASSERT(has_error(c, "t.conf:3: ns ns1.example.test is inside a zone "
	    "jitsud serves: give its address(es) (ns = ns1.example.test "
	    "ADDRESS...)"));
	T_ASSERT(has_error(c, "t.conf:4: ns ns.provider.net is outside every "
	    "zone: its addresses come from its own zone, give none here"));
	T_ASSERT(has_error(c, "t.conf:5: duplicate ns \"ns.provider.net\""));
	T_EQ(c->nerrors, 4);		/* and the bad address on line 6 */
	config_free(c);

	/* with ns =, ns.<zone> is free for a service; an ns name is not */
	c = parse("[jitsud]\nzone = example.test\nns = ns1.example.test "
	    "192.0.2.1\n[service a]\ndns = ns.example.test\naddress = "
	    "192.0.2.5\n[service b]\ndns = ns1.example.test\naddress = "
	    "192.0.2.6\n");
	T_EQ(c->nerrors, 1);
	T_ASSERT(has_error(c, "t.conf:8: service b: dns name "
	    "\"ns1.example.test\" is a name server's (ns =)"));
	config_free(c);

	c = parse("[jitsud]\nsoa_refresh = 2h\nsoa_expire = 1h\n");
	T_ASSERT(c->nerrors >= 1);
	config_free(c);
}

/* forward_clients and the other front-end keys (issue 11). */
static void
dns_front_end_keys(void)
{
	struct config *c;
	struct in_addr a;
	struct in6_addr a6;

	c = parse("[jitsud]\nforward_clients = 10.0.0.0/8, fd00::/8 ::1\n"
	    "forward_clients = 192.168.1.7\nforward_rate = 0\n"
	    "forward_per_client = 8\ntcp_per_address = 2\n"
	    "tcp_message_timeout = 500ms\n");
	T_EQ(c->nerrors, 0);
	T_EQ(c->d.nforward_clients, 4);
	T_EQ(c->d.forward_clients[0].prefix, 8);
	T_EQ(c->d.forward_clients[2].prefix, 128);
	T_EQ(c->d.forward_clients[3].prefix, 32);
	T_EQ(c->d.forward_rate, 0);
	T_EQ(c->d.forward_per_client, 8);
	T_EQ(c->d.tcp_per_address, 2);
	T_EQ(c->d.tcp_message_timeout_ms, 500);
	inet_pton(AF_INET, "10.200.3.4", &a);
	T_ASSERT(cfg_cidr_match(&c->d.forward_clients[0], AF_INET, &a));
	T_ASSERT(!cfg_cidr_match(&c->d.forward_clients[1], AF_INET, &a));
	inet_pton(AF_INET, "11.0.0.1", &a);
	T_ASSERT(!cfg_cidr_match(&c->d.forward_clients[0], AF_INET, &a));
	inet_pton(AF_INET6, "fd12::1", &a6);
	T_ASSERT(cfg_cidr_match(&c->d.forward_clients[1], AF_INET6, &a6));
	inet_pton(AF_INET6, "fe00::1", &a6);
	T_ASSERT(!cfg_cidr_match(&c->d.forward_clients[1], AF_INET6, &a6));
	inet_pton(AF_INET, "192.168.1.7", &a);
	T_ASSERT(cfg_cidr_match(&c->d.forward_clients[3], AF_INET, &a));
	a.s_addr ^= htonl(1);
	T_ASSERT(!cfg_cidr_match(&c->d.forward_clients[3], AF_INET, &a));
	config_free(c);

	c = parse("[jitsud]\nforward_clients = 10.1.2.3/8\n"
	    "forward_clients = 10.0.0.0/33\nforward_clients = ,\n"
	    "forward_per_client = 0\n");
	T_ASSERT(has_error(c, "t.conf:2: network has host bits set: "
	    "forward_clients = 10.1.2.3/8"));
	T_EQ(c->nerrors, 4);
	config_free(c);
}

static void
restart_keys(void)
{
	struct config *c;

	c = parse("[jitsud]\n");
	T_EQ(c->d.min_uptime_ms, 1000);
	T_EQ(c->d.start_limit, 10);
	T_EQ(c->d.start_window_ms, 10000);
	config_free(c);
	c = parse("[jitsud]\nmin_uptime = 250ms\nstart_limit = 3\n"
	    "start_window = 1h\n");
	T_EQ(c->nerrors, 0);
	T_EQ(c->d.min_uptime_ms, 250);
	T_EQ(c->d.start_limit, 3);
	T_EQ(c->d.start_window_ms, 3600000);
	config_free(c);
	c = parse("[jitsud]\nstart_limit = 0\nstart_window = 0\n");
	T_EQ(c->nerrors, 0);
	config_free(c);
	c = parse("[jitsud]\nstart_limit = 5\nstart_window = 0\n");
	T_ASSERT(has_error(c, "t.conf: start_window must be above 0 with "
	    "start_limit"));
	config_free(c);
}

/* The folders jitsud trusts: its own and not writable by others; a
 * missing one is fine (jitsud makes it); errors carry FILE:LINE. */
static void
trusted_folders(void)
{
	char dir[] = "/tmp/jitsu-unit.XXXXXX", sub[64], why[512], text[256];
	struct config *c;

	T_ASSERT(mkdtemp(dir) != NULL);
	T_EQ(folder_check(dir, why, sizeof(why)), 0);
	snprintf(sub, sizeof(sub), "%s/missing/state", dir);
	T_EQ(folder_check(sub, why, sizeof(why)), 0);
	chmod(dir, 0770);
	T_EQ(folder_check(dir, why, sizeof(why)), -1);
	T_ASSERT(strstr(why, "writable by its group (mode 0770)") != NULL);
	T_EQ(folder_check(sub, why, sizeof(why)), -1);
	chmod(dir, 01777);	/* sticky: fine above, not as the folder */
	T_EQ(folder_check(dir, why, sizeof(why)), -1);
	snprintf(sub, sizeof(sub), "%s/state", dir);
	T_ASSERT(mkdir(sub, 0700) == 0);
	T_EQ(folder_check(sub, why, sizeof(why)), 0);
	snprintf(text, sizeof(text), "[jitsud]\ncontrol = %s/s/ctl.sock\n"
	    "state = %s\nrun = %s/run\n", dir, dir, dir);
	c = parse(text);
	T_EQ(config_check_folders(c), 1);
	snprintf(text, sizeof(text), "t.conf:3: state: %s is writable by "
	    "everyone (mode 1777): refused (the folder must be owned by root "
	    "and writable by no one else)", dir);
	T_ASSERT(has_error(c, text));
	config_free(c);
	rmdir(sub);
	rmdir(dir);
}

int
main(void)
{
	T_RUN(durations);
	T_RUN(sizes);
	T_RUN(addresses);
	T_RUN(ports);
	T_RUN(good_file);
	T_RUN(defaults);
	T_RUN(errors_have_file_and_line);
	T_RUN(ns_name_reserved);
	T_RUN(syntax_error);
	T_RUN(missing_file);
	T_RUN(backend_needs);
	T_RUN(spec_adds_service);
	T_RUN(spec_errors);
	T_RUN(name_in_zone);
	T_RUN(dns_zone_keys);
	T_RUN(dns_front_end_keys);
	T_RUN(restart_keys);
	T_RUN(trusted_folders);
	return t_done();
}
