/*
 * config/keys.c - every config key, once. The file parser ([jitsud] and
 * [service NAME] sections) and the SPEC parser both look keys up here,
 * so a key behaves identically wherever it is written.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "backend/uid.h"
#include "config/keys.h"
#include "config/values.h"

/* K_U32L: a K_U32 whose line is kept (at setoff) for the whole-config
 * checks that find what is wrong with it. */
enum ktype { K_STR, K_DUR, K_SIZE, K_U32, K_ENUM, K_ADDRS, K_NAMES,
    K_IPPORT, K_PORTS, K_LIST, K_NET, K_NS, K_CIDRS, K_U32L };

struct key {
	const char		*name;
	enum ktype		 type;
	size_t			 off;
	uint64_t		 max;		/* K_U32 */
	const char *const	*words;		/* K_ENUM */
	size_t			 setoff;	/* K_ENUM, K_SIZE, K_U32: bool
						   "was set", or 0; K_U32L,
						   K_STR: int line */
};

static const char *const backend_words[] = { "none", "exec", "qemu",
    "libvirt", NULL };
static const char *const stop_words[] = { "destroy", "shutdown", "suspend",
    NULL };
static const char *const sandbox_words[] = { "strict", "default", "none",
    NULL };
static const char *const ready_words[] = { "line", "tcp", "exec", NULL };
static const char *const failed_words[] = { "servfail", "address", NULL };
static const char *const accel_words[] = { "auto", "kvm", "tcg", NULL };
static const char *const no_yes[] = { "no", "yes", NULL };

#define S(f)	offsetof(struct cfg_service, f)
#define D(f)	offsetof(struct cfg_daemon, f)

static const struct key service_keys[] = {
	{ "dns",	K_NAMES, S(dns), 0, NULL, S(ndns) },
	{ "address",	K_ADDRS, S(addrs), 0, NULL, S(naddrs) },
	{ "backend",	K_ENUM,	S(backend), 0, backend_words, S(backend_set) },
	{ "image",	K_STR,	S(image), 0, NULL, 0 },
	{ "args",	K_STR,	S(args), 0, NULL, 0 },
	{ "ports",	K_PORTS, 0, 0, NULL, 0 },
	{ "idle",	K_DUR,	S(idle_ms), 0, NULL, 0 },
	{ "stop",	K_ENUM,	S(stop), 0, stop_words, 0 },
	{ "memory",	K_SIZE,	S(memory), 0, NULL, S(memory_set) },
	{ "pids",	K_U32,	S(pids), 1000000, NULL, S(pids_set) },
	{ "cpu",	K_U32,	S(cpu), 100000, NULL, S(cpu_set) },
	{ "tmp",	K_SIZE,	S(tmp), 0, NULL, S(tmp_set) },
	{ "sandbox",	K_ENUM,	S(sandbox), 0, sandbox_words, S(sandbox_set) },
	{ "cpus",	K_U32,	S(cpus), 64, NULL, 0 },
	{ "cmdline",	K_STR,	S(cmdline), 0, NULL, 0 },
	{ "initrd",	K_STR,	S(initrd), 0, NULL, 0 },
	{ "ready_line",	K_STR,	S(ready_line), 0, NULL, 0 },
	{ "ready",	K_ENUM,	S(ready), 0, ready_words, S(ready_set) },
	{ "boot_timeout", K_DUR, S(boot_timeout_ms), 0, NULL, 0 },
	{ "grace",	K_DUR,	S(grace_ms), 0, NULL, 0 },
	{ "failed_answer", K_ENUM, S(failed_answer), 0, failed_words, 0 },
	{ "uri",	K_STR,	S(uri), 0, NULL, 0 },
	{ "domain",	K_STR,	S(domain), 0, NULL, 0 },
	{ "accel",	K_ENUM,	S(accel), 0, accel_words, 0 },
	{ "hosts",	K_LIST,	S(hosts), 0, NULL, S(nhosts) },
	{ "precreate",	K_ENUM,	S(precreate), 0, no_yes, 0 },
	{ NULL, 0, 0, 0, NULL, 0 }
};

#define H(f)	offsetof(struct cfg_host, f)

static const struct key host_keys[] = {
	{ "uri",	K_STR,	H(uri), 0, NULL, 0 },
	{ "memory",	K_SIZE,	H(memory), 0, NULL, 0 },
	{ "network",	K_NET,	H(network), 0, NULL, 0 },
	{ NULL, 0, 0, 0, NULL, 0 }
};

static const struct key daemon_keys[] = {
	{ "dns",	K_ADDRS, D(dns), 53, NULL, D(ndns) },
	{ "zone",	K_NAMES, D(zones), 0, NULL, D(nzones) },
	{ "ttl",	K_U32,	D(ttl), 2147483647, NULL, 0 },
	{ "forward",	K_IPPORT, D(forward), 53, NULL, 0 },
	{ "forward_max", K_U32,	D(forward_max), 65536, NULL, 0 },
	{ "forward_timeout", K_DUR, D(forward_timeout_ms), 0, NULL, 0 },
	{ "control",	K_STR,	D(control), 0, NULL, D(control_line) },
	{ "metrics",	K_IPPORT, D(metrics), 9153, NULL, 0 },
	{ "state",	K_STR,	D(state), 0, NULL, D(state_line) },
	{ "run",	K_STR,	D(run), 0, NULL, D(run_line) },
	{ "cgroup",	K_STR,	D(cgroup), 0, NULL, 0 },
	{ "max_starting", K_U32, D(max_starting), 100000, NULL, 0 },
	{ "max_running", K_U32,	D(max_running), 1000000, NULL, 0 },
	{ "start_queue", K_U32,	D(start_queue), 1000000, NULL, 0 },
	{ "tcp_clients", K_U32,	D(tcp_clients), 1000000, NULL, 0 },
	{ "tcp_idle",	K_DUR,	D(tcp_idle_ms), 0, NULL, 0 },
	{ "backoff",	K_DUR,	D(backoff_ms), 0, NULL, 0 },
	{ "min_uptime",	K_DUR,	D(min_uptime_ms), 0, NULL, 0 },
	{ "start_limit", K_U32,	D(start_limit), 1000000, NULL, 0 },
	{ "start_window", K_DUR, D(start_window_ms), 0, NULL, 0 },
	{ "ns",		K_NS,	D(ns), 0, NULL, D(nns) },
	{ "soa_refresh", K_DUR,	D(soa_refresh_ms), 0, NULL, 0 },
	{ "soa_retry",	K_DUR,	D(soa_retry_ms), 0, NULL, 0 },
	{ "soa_expire",	K_DUR,	D(soa_expire_ms), 0, NULL, 0 },
	{ "soa_minimum", K_DUR,	D(soa_minimum_ms), 0, NULL, 0 },
	{ "forward_clients", K_CIDRS, D(forward_clients), 0, NULL,
	    D(nforward_clients) },
	{ "forward_rate", K_U32, D(forward_rate), 1000000, NULL, 0 },
	{ "forward_per_client", K_U32, D(forward_per_client), 65536, NULL, 0 },
	{ "tcp_per_address", K_U32, D(tcp_per_address), 1000000, NULL, 0 },
	{ "tcp_message_timeout", K_DUR, D(tcp_message_timeout_ms), 0, NULL,
	    0 },
	{ "default_memory", K_SIZE, D(default_memory), 0, NULL, 0 },
	{ "default_cpu", K_U32,	D(default_cpu), 100000, NULL, 0 },
	{ "default_pids", K_U32, D(default_pids), 1000000, NULL, 0 },
	{ "default_tmp", K_SIZE, D(default_tmp), 0, NULL, 0 },
	{ "source_start_budget", K_U32, D(source_start_budget), 1000000, NULL,
	    0 },
	{ "source_start_refill", K_DUR, D(source_start_refill_ms), 0, NULL, 0 },
	{ "log_rate",	K_U32,	D(log_rate), 1000000, NULL, 0 },
	{ "log_burst",	K_U32,	D(log_burst), 1000000, NULL, 0 },
	{ "control_idle", K_DUR, D(control_idle_ms), 0, NULL, 0 },
	{ "metrics_idle", K_DUR, D(metrics_idle_ms), 0, NULL, 0 },
	{ "uid_base",	K_U32L,	D(uid_base), 4294967294u, NULL,
	    D(uid_base_line) },
	{ "uid_range",	K_U32L,	D(uid_range), UID_RANGE_MAX, NULL,
	    D(uid_range_line) },
	{ NULL, 0, 0, 0, NULL, 0 }
};

static const struct key *
key_find(const struct key *tab, const char *name)
{
	for (; tab->name != NULL; tab++)
		if (strcmp(tab->name, name) == 0)
			return tab;
	return NULL;
}

static int
append(void **arr, int *n, size_t size, const void *item)
{
	void *p;

	if ((p = realloc(*arr, (size_t)(*n + 1) * size)) == NULL)
		return -ENOMEM;
	memcpy((char *)p + (size_t)*n * size, item, size);
	*arr = p;
	(*n)++;
	return 0;
}

static int
add_name(char *base, const struct key *k, const char *val, size_t len,
    int line)
{
	struct cfg_name nm;
	int r;

	nm.line = line;
	if ((nm.name = strndup(val, len)) == NULL)
		return -ENOMEM;
	if ((r = append((void **)(base + k->off), (int *)(base + k->setoff),
	    sizeof(nm), &nm)) < 0)
		free(nm.name);
	return r;
}

/* "NAME [ADDRESS...]": appends one name server. */
static int
add_ns(char *base, const struct key *k, const char *val, int line,
    const char **why)
{
	struct cfg_ns ns = { .line = line };
	char *copy, *w, *save = NULL;
	struct cfg_addr a;
	int r = 0;

	if ((copy = strdup(val)) == NULL)
		return -ENOMEM;
	if ((w = strtok_r(copy, " \t,", &save)) == NULL) {
		*why = "want ns = NAME [ADDRESS...]";
		free(copy);
		return -EINVAL;
	}
	if ((ns.name = strdup(w)) == NULL)
		r = -ENOMEM;
	while (r == 0 && (w = strtok_r(NULL, " \t,", &save)) != NULL) {
		if ((r = parse_ip(w, &a, why)) < 0)
			break;
		a.line = line;
		r = append((void **)&ns.addrs, &ns.naddrs, sizeof(a), &a);
	}
	if (r == 0)
		r = append((void **)(base + k->off), (int *)(base + k->setoff),
		    sizeof(ns), &ns);
	if (r < 0) {
		free(ns.name);
		free(ns.addrs);
	}
	free(copy);
	return r;
}

/* "10.0.0.0/8 ::1 fd00::/8": appends each network. */
static int
add_cidrs(char *base, const struct key *k, const char *val, int line,
    const char **why)
{
	char *copy, *w, *save = NULL;
	int r = 0, n = 0;

	if ((copy = strdup(val)) == NULL)
		return -ENOMEM;
	for (w = strtok_r(copy, " \t,", &save); w != NULL && r == 0;
	    w = strtok_r(NULL, " \t,", &save), n++) {
		struct cfg_cidr c = { .line = line };
		r = parse_cidr(w, &c, why);
		if (r == 0)
			r = append((void **)(base + k->off),
			    (int *)(base + k->setoff), sizeof(c), &c);
	}
	free(copy);
	if (r == 0 && n == 0) {
		*why = "want one or more networks (e.g. 10.0.0.0/8 ::1)";
		r = -EINVAL;
	}
	return r;
}

/*
 * Set one key in the struct at base. Repeatable keys (K_ADDRS, K_NAMES)
 * append; every other key set twice keeps the last value, as INI readers
 * expect.
 */
static int
key_set(const struct key *k, char *base, struct cfg_service *svc,
    const char *val, int line, const char **why)
{
	uint64_t v;
	struct cfg_addr a;
	char **sp;
	int r, w;

	switch (k->type) {
	case K_STR:
		sp = (char **)(base + k->off);
		if (*val == '\0') {
			*why = "empty value";
			return -EINVAL;
		}
		free(*sp);
		if ((*sp = strdup(val)) == NULL)
			return -ENOMEM;
		if (k->setoff)	/* K_STR: where it was set */
			*(int *)(base + k->setoff) = line;
		return 0;
	case K_DUR:
		return parse_duration_ms(val, (uint64_t *)(base + k->off), why);
	case K_SIZE:
		if ((r = parse_size(val, (uint64_t *)(base + k->off), why)) < 0)
			return r;
		if (k->setoff)
			*(bool *)(base + k->setoff) = true;
		return 0;
	case K_U32:
	case K_U32L:
		if ((r = parse_uint(val, k->max, &v, why)) < 0)
			return r;
		*(uint32_t *)(base + k->off) = (uint32_t)v;
		if (k->type == K_U32L)
			*(int *)(base + k->setoff) = line;
		else if (k->setoff)
			*(bool *)(base + k->setoff) = true;
		return 0;
	case K_ENUM:
		if ((w = parse_word(val, k->words)) < 0) {
			*why = "unknown value";
			return -EINVAL;
		}
		*(int *)(base + k->off) = w;
		if (k->setoff)
			*(bool *)(base + k->setoff) = true;
		return 0;
	case K_ADDRS:
		/* max doubles as the default port: listen addresses have
		 * one, service addresses must not. */
		if (k->max)
			r = parse_ip_port(val, (uint16_t)k->max, &a, why);
		else
			r = parse_ip(val, &a, why);
		if (r < 0)
			return r;
		a.line = line;
		return append((void **)(base + k->off), (int *)(base + k->setoff),
		    sizeof(a), &a);
	case K_NAMES:
		return add_name(base, k, val, strlen(val), line);
	case K_LIST:
		/* "a, b c": each word appends, as the key written twice. */
		for (const char *p = val; *p != '\0'; p += w) {
			p += strspn(p, ", \t");
			if ((w = (int)strcspn(p, ", \t")) > 0 &&
			    (r = add_name(base, k, p, (size_t)w, line)) < 0)
				return r;
		}
		return 0;
	case K_NET:
		return parse_net(val, (struct cfg_net *)(base + k->off), why);
	case K_IPPORT:
		if ((r = parse_ip_port(val, (uint16_t)k->max, &a, why)) < 0)
			return r;
		a.line = line;
		*(struct cfg_addr *)(base + k->off) = a;
		return 0;
	case K_NS:
		return add_ns(base, k, val, line, why);
	case K_CIDRS:
		return add_cidrs(base, k, val, line, why);
	case K_PORTS:
		return parse_ports(val, svc->ports, &svc->nports, CFG_MAX_PORTS,
		    why);
	}
	*why = "internal error";
	return -EINVAL;
}

int
config_set_service_key(struct cfg_service *svc, const char *key,
    const char *val, int line, const char **why)
{
	const struct key *k;

	if ((k = key_find(service_keys, key)) == NULL) {
		*why = "unknown key";
		return -ENOENT;
	}
	return key_set(k, (char *)svc, svc, val, line, why);
}

int
config_set_daemon_key(struct cfg_daemon *d, const char *key, const char *val,
    int line, const char **why)
{
	const struct key *k;

	if ((k = key_find(daemon_keys, key)) == NULL) {
		*why = "unknown key";
		return -ENOENT;
	}
	return key_set(k, (char *)d, NULL, val, line, why);
}

int
config_set_host_key(struct cfg_host *h, const char *key, const char *val,
    int line, const char **why)
{
	const struct key *k;

	if ((k = key_find(host_keys, key)) == NULL) {
		*why = "unknown key";
		return -ENOENT;
	}
	return key_set(k, (char *)h, NULL, val, line, why);
}

const char *
cfg_backend_name(enum cfg_backend b)
{
	return (unsigned)b < 4 ? backend_words[b] : "?";
}

const char *
cfg_stop_name(enum cfg_stop s)
{
	return (unsigned)s < 3 ? stop_words[s] : "?";
}
