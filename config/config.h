/*
 * config/config.h - jitsud's configuration: the [jitsud] section, the
 * [service NAME] sections, and SPEC arguments (key=value,...) that add
 * services exactly as sections do. Parsing is libinih; every key of every
 * section kind is described once in a table (config/keys.c) that both the
 * file parser and the SPEC parser use. Every error is kept as
 * "FILE:LINE: message"; a config with errors is never half-applied.
 */
#ifndef CONFIG_CONFIG_H
#define CONFIG_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define CFG_MAX_ERRORS	64

/* An IPv4 or IPv6 address, with a port where one was given. */
struct cfg_addr {
	int		 family;	/* AF_INET or AF_INET6 */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	}		 a;
	uint16_t	 port;
	int		 line;
};

struct cfg_name {
	char		*name;
	int		 line;
};

/* ns = NAME [ADDRESS...]: a name server of every zone, with its glue. */
struct cfg_ns {
	char		*name;
	struct cfg_addr	*addrs;
	int		 naddrs;
	int		 line;
};

/* An IPv4 or IPv6 network: forward_clients = 10.0.0.0/8 fd00::/8 */
struct cfg_cidr {
	int		 family;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	}		 a;
	uint8_t		 prefix;
	int		 line;
};
/* True when a (AF_INET/AF_INET6 address bytes) lies in net. */
bool		 cfg_cidr_match(const struct cfg_cidr *net, int family,
		    const void *a);

enum cfg_backend { BACKEND_NONE, BACKEND_EXEC, BACKEND_QEMU, BACKEND_LIBVIRT };
enum cfg_stop { STOP_DESTROY, STOP_SHUTDOWN, STOP_SUSPEND };
enum cfg_sandbox { SANDBOX_STRICT, SANDBOX_DEFAULT, SANDBOX_NONE };
enum cfg_ready { READY_LINE, READY_TCP, READY_EXEC };
enum cfg_failed_answer { FAILED_SERVFAIL, FAILED_ADDRESS };
/* qemu: auto = kvm when /dev/kvm opens, else tcg. */
enum cfg_accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

/* An IPv4 network: base address and prefix length. */
struct cfg_net {
	struct in_addr	 base;
	uint8_t		 prefix;
	bool		 set;
};

/*
 * [host NAME]: a libvirt daemon that backend = libvirt services may be
 * placed on. memory is the capacity placement fills (0 = unlimited);
 * network holds the addresses jitsud gives the guests there (the host
 * routes them to their taps; jitsud's host must route the network to
 * that host when it is another machine). A libvirt service without
 * hosts = gets an implicit host for its uri =, named by the URI.
 */
struct cfg_host {
	char		*name;
	int		 line;
	char		*uri;
	uint64_t	 memory;
	struct cfg_net	 network;
	bool		 implicit;
};
/* The guests' network of a host without network = (link-local). */
#define CFG_HOST_NETWORK	"169.254.96.0"
#define CFG_HOST_PREFIX		19

struct cfg_port {
	uint8_t		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t	 port;
};
#define CFG_MAX_PORTS	16

struct cfg_service {
	char		*name;
	const char	*file;		/* where it was defined */
	int		 line;
	struct cfg_name	*dns;
	int		 ndns;
	struct cfg_addr	*addrs;
	int		 naddrs;
	enum cfg_backend backend;
	bool		 backend_set;
	char		*image;
	char		*args;
	struct cfg_port	 ports[CFG_MAX_PORTS];
	int		 nports;
	uint64_t	 idle_ms;
	enum cfg_stop	 stop;
	uint64_t	 memory;	/* bytes; 0 = no limit */
	uint32_t	 pids;		/* pids.max; 0 = no limit */
	uint32_t	 cpu;		/* percent of one cpu; 0 = no limit */
	uint64_t	 tmp;		/* /tmp tmpfs size, bytes */
	/* Written in the section (0 included): config_check gives the
	 * others [jitsud]'s default_* (issue 11: no escape by omission). */
	bool		 memory_set, pids_set, cpu_set, tmp_set;
	enum cfg_sandbox sandbox;
	bool		 sandbox_set;
	uint32_t	 cpus;
	char		*cmdline;
	char		*initrd;
	char		*ready_line;
	enum cfg_ready	 ready;
	bool		 ready_set;
	uint64_t	 boot_timeout_ms;
	uint64_t	 grace_ms;
	enum cfg_failed_answer failed_answer;
	char		*uri;
	char		*domain;
	enum cfg_accel	 accel;
	int		 precreate;	/* libvirt: 1 = a paused domain waits */
	struct cfg_name	*hosts;		/* hosts =, as written */
	int		 nhosts;
	/* Filled by config_check for backend = libvirt: the hosts the
	 * service may run on (its hosts =, or the implicit one). */
	int		*hostv;		/* indexes into config.hosts */
	const struct cfg_host **hostp;	/* the same hosts */
	int		 nhostv;
};

struct cfg_daemon {
	struct cfg_addr	*dns;
	int		 ndns;
	struct cfg_name	*zones;
	int		 nzones;
	uint32_t	 ttl;
	struct cfg_addr	 forward;	/* family 0 = not forwarding */
	uint32_t	 forward_max;
	uint64_t	 forward_timeout_ms;
	/* DNS front end hardening (issue 11): who may use the forwarder,
	 * at what rate and how many at once; TCP per-message deadline and
	 * per-address cap. */
	struct cfg_cidr	*forward_clients;	/* none: loopback only */
	int		 nforward_clients;
	uint32_t	 forward_rate;		/* per client per s; 0 = off */
	uint32_t	 forward_per_client;	/* in flight per client */
	uint32_t	 tcp_per_address;
	uint64_t	 tcp_message_timeout_ms;
	/* The zones' NS set and SOA timers (seconds in the SOA). */
	struct cfg_ns	*ns;
	int		 nns;
	uint64_t	 soa_refresh_ms, soa_retry_ms, soa_expire_ms;
	uint64_t	 soa_minimum_ms;	/* UINT64_MAX: ttl */
	char		*control;
	struct cfg_addr	 metrics;	/* family 0 = off */
	char		*state;
	/* Where instances' run folders go (RUN/sandbox, RUN/qemu), and the
	 * name of the cgroup under jitsud's own that holds every service's:
	 * two jitsuds on one host (or a test beside the host's) keep apart
	 * by setting both. Read once at start; a reload keeps the first. */
	char		*run;
	char		*cgroup;
	/* Where state, run and control were set (0: the default), for
	 * config/folder.c's errors. */
	int		 state_line, run_line, control_line;
	uint32_t	 max_starting;
	uint32_t	 max_running;
	uint32_t	 start_queue;
	uint32_t	 tcp_clients;
	uint64_t	 tcp_idle_ms;
	uint64_t	 backoff_ms;
	/* Limits of every exec service that does not set its own. */
	uint64_t	 default_memory;
	uint32_t	 default_cpu, default_pids;
	uint64_t	 default_tmp;
	/* Starts a client may cause by DNS queries: a bucket of
	 * source_start_budget, one more every source_start_refill. */
	uint32_t	 source_start_budget;	/* 0 = no budget */
	uint64_t	 source_start_refill_ms;
	/* Lines a service may log: log_rate a second, log_burst at once. */
	uint32_t	 log_rate, log_burst;	/* rate 0 = no limit */
	/* Idle control and metrics clients are closed after these. */
	uint64_t	 control_idle_ms, metrics_idle_ms;
	/* The host uids services run as (backend/uid.h): [uid_base,
	 * uid_base + uid_range), no user's, group's or subordinate range's.
	 * Lines for errors found at the check (0: not written). */
	uint32_t	 uid_base;
	uint32_t	 uid_range;
	int		 uid_base_line;
	int		 uid_range_line;
	/* A crashing image must not spin jitsud (issue 11). */
	uint64_t	 min_uptime_ms;
	uint32_t	 start_limit;		/* 0 = no limit */
	uint64_t	 start_window_ms;
};

struct config {
	struct cfg_daemon	 d;
	struct cfg_service	*svcs;
	int			 nsvcs;
	struct cfg_host		*hosts;
	int			 nhosts;
	char			*errors[CFG_MAX_ERRORS];
	int			 nerrors;
	int			 nerrors_dropped;
	const char		*file;	/* the config file, or NULL */
};

/* A new config with every default set and no services. */
struct config	*config_new(void);
void		 config_free(struct config *);
/* Parse FILE into cfg (its [jitsud] section and services). Errors are
 * appended to cfg->errors; returns the number of errors so far. */
int		 config_parse_file(struct config *, const char *path);
/* Same from a string (tests); name is used in error messages. */
int		 config_parse_string(struct config *, const char *name,
		    const char *text);
/* Add a service from a SPEC "name=www,dns=...,address=..."; index is the
 * SPEC's position on the command line, used in error messages. */
int		 config_parse_spec(struct config *, const char *spec, int index);
/* Cross-checks that need the whole config (names inside zones, duplicate
 * names, backend needs an image, ...). Call once after all parsing. */
int		 config_check(struct config *);
void		 config_error(struct config *, const char *file, int line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const struct cfg_service *config_find_service(const struct config *,
		    const char *name);
int		 config_find_host(const struct config *, const char *name);

/* True when presentation name lies in (or is) zone; case-insensitive. */
bool		 config_name_in_zone(const char *name, const char *zone);

const char	*cfg_backend_name(enum cfg_backend);
const char	*cfg_stop_name(enum cfg_stop);

#endif
