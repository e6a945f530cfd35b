/*
 * jitsud - summons unikernels just in time.
 *
 * jitsud [-dhnv] [-c FILE] [SPEC ...]
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config/values.h"
#include "core/log.h"
#include "jitsud/daemon.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: jitsud [-dhnv] [-c FILE] [SPEC ...]\n"
"\n"
"jitsud is the authoritative DNS server for the names of registered\n"
"services and starts (summons) the unikernel behind a name when it is\n"
"queried.\n"
"\n"
"  -c FILE   configuration file (INI; see jitsud.conf(5))\n"
"  -n        check the configuration, print \"configuration OK\" and exit 0,\n"
"            or print FILE:LINE: message for each error and exit 1\n"
"  -d        stay in the foreground and log to stderr (the default when\n"
"            stderr is a terminal or no syslog is wanted)\n"
"  -v        verbose: log debug messages\n"
"  -h        this help\n"
"\n"
"SPEC adds a service like a [service] section: key=value,key=value,...\n"
"with name= and the same keys, e.g.\n"
"  jitsud -c jitsud.conf name=www,dns=www.example.test,address=127.77.0.2\n"
"\n"
"Signals: SIGHUP reloads the configuration (a bad one is logged and the\n"
"running one kept); SIGTERM and SIGINT stop jitsud.\n");
}

static void
on_hup(struct loop *l, int signo, void *arg)
{
	(void)l;
	char msg[512];

	(void)signo;
	daemon_reload(arg, msg, sizeof(msg));
}

/*
 * Each service holds descriptors for its whole life (its sockets, a log
 * pipe) and each instance two more (pidfd, status), so the usual soft
 * limit of 1024 runs out at a few hundred services. jitsud only uses
 * epoll, so the hard limit is safe; the sandbox puts the soft limit back
 * to 1024 for the unikernels.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("raising the open files limit");
}

static void
on_term(struct loop *l, int signo, void *arg)
{
	(void)arg;
	log_info("signal %d: stopping", signo);
	loop_stop(l);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon d;
	struct config *c;
	const char *file = NULL;
	int ch, check = 0, verbose = 0, i;
	char a[64];

	while ((ch = getopt_long(argc, argv, "c:dhnv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	log_init(verbose, 1);
	if (file == NULL && optind == argc) {
		fprintf(stderr, "jitsud: no configuration: give -c FILE or a "
		    "SPEC (see jitsud -h)\n");
		return 2;
	}
	if ((c = daemon_load_config(file, argv + optind, argc - optind)) == NULL)
		fatalx("out of memory");
	if (c->nerrors > 0) {
		daemon_print_errors(c);
		config_free(c);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		config_free(c);
		return 0;
	}

	memset(&d, 0, sizeof(d));
	d.cfgfile = file;
	d.specs = argv + optind;
	d.nspecs = argc - optind;
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if ((d.loop = loop_new()) == NULL)
		fatal("event loop");
	if ((d.dns = dns_server_new(d.loop, daemon_dns_hit, &d)) == NULL)
		fatal("dns server");
	if ((d.svcs = svc_manager_new(d.loop)) == NULL)
		fatal("services");
	if ((d.ctl = ctl_server_new(d.loop, d.svcs, daemon_reload, &d)) == NULL)
		fatal("control socket");
	if ((d.metrics = metrics_server_new(d.loop, d.dns, d.svcs)) == NULL)
		fatal("metrics");
	if (daemon_apply(&d, c) < 0) {
		config_free(c);
		return 1;
	}
	if (loop_signal(d.loop, SIGHUP, on_hup, &d) < 0 ||
	    loop_signal(d.loop, SIGTERM, on_term, &d) < 0 ||
	    loop_signal(d.loop, SIGINT, on_term, &d) < 0)
		fatal("signals");
	for (i = 0; i < d.cfg->d.ndns; i++) {
		cfg_addr_format(&d.cfg->d.dns[i], a, sizeof(a));
		log_info("listening for DNS on %s (udp, tcp)", a);
	}
	log_info("jitsud ready: %d zones, %d services", d.cfg->d.nzones,
	    d.cfg->nsvcs);
	if (loop_run(d.loop) < 0)
		fatal("event loop");
	/* Until instances are recorded for re-adoption, none may outlive
	 * jitsud: stop them all. */
	svc_manager_free(d.svcs);
	backend_exec_shutdown();
	ctl_server_free(d.ctl);
	metrics_server_free(d.metrics);
	dns_server_free(d.dns);
	dns_db_free(d.db);
	config_free(d.cfg);
	loop_free(d.loop);
	return 0;
}
