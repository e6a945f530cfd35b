/*
 * config/parse.c - reading config files (libinih) and SPEC arguments into
 * a struct config. inih does the INI syntax; we feed it through our own
 * line reader so that every handler call knows its line number and the
 * section instance it belongs to (two [service www] sections are a
 * duplicate, not a merge).
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/uid.h"
#include "config/config.h"
#include "config/keys.h"
#include "config/values.h"

#define CFG_LINE_MAX	1024

struct config *
config_new(void)
{
	struct config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->d.ttl = 1;
	c->d.forward_max = 1024;
	c->d.forward_timeout_ms = 2000;
	c->d.max_starting = 32;
	c->d.max_running = 4096;
	c->d.start_queue = 4096;
	c->d.tcp_clients = 1024;
	c->d.tcp_idle_ms = 10000;
	c->d.forward_rate = 100;
	c->d.forward_per_client = 32;
	c->d.tcp_per_address = 64;
	c->d.tcp_message_timeout_ms = 5000;
	c->d.soa_refresh_ms = 3600000;
	c->d.soa_retry_ms = 900000;
	c->d.soa_expire_ms = 1209600000;
	c->d.soa_minimum_ms = UINT64_MAX;
	c->d.backoff_ms = 1000;
	/* A tenant who writes no limits gets these, not the host (issue
	 * 11): room for a uk app or a small runtime, one CPU, the task
	 * count the sandbox always had, a /tmp of 16 MiB. */
	c->d.default_memory = 256ULL << 20;
	c->d.default_cpu = 100;
	c->d.default_pids = 64;
	c->d.default_tmp = 16ULL << 20;
	/* One client may start 32 services at once, then one a second;
	 * a browser or a resolver behind NAT stays far below. */
	c->d.source_start_budget = 32;
	c->d.source_start_refill_ms = 1000;
	/* A booting app prints a few dozen lines; a flood is cut. */
	c->d.log_rate = 50;
	c->d.log_burst = 200;
	c->d.control_idle_ms = 60000;
	c->d.metrics_idle_ms = 10000;
	c->d.uid_base = UID_BASE_DEFAULT;
	c->d.uid_range = UID_RANGE_DEFAULT;
	c->d.min_uptime_ms = 1000;
	c->d.start_limit = 10;
	c->d.start_window_ms = 10000;
	if ((c->d.control = strdup("/run/jitsu/jitsud.sock")) == NULL ||
	    (c->d.state = strdup("/run/jitsu/state")) == NULL ||
	    (c->d.run = strdup("/run/jitsu")) == NULL ||
	    (c->d.cgroup = strdup("jitsu")) == NULL) {
		config_free(c);
		return NULL;
	}
	return c;
}

static void
service_free(struct cfg_service *s)
{
	int i;

	free(s->name);
	for (i = 0; i < s->ndns; i++)
		free(s->dns[i].name);
	free(s->dns);
	free(s->addrs);
	free(s->image);
	free(s->args);
	free(s->cmdline);
	free(s->initrd);
	free(s->ready_line);
	free(s->uri);
	free(s->domain);
	for (i = 0; i < s->nhosts; i++)
		free(s->hosts[i].name);
	free(s->hosts);
	free(s->hostv);
	free(s->hostp);
}

void
config_free(struct config *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsvcs; i++)
		service_free(&c->svcs[i]);
	free(c->svcs);
	for (i = 0; i < c->nhosts; i++) {
		free(c->hosts[i].name);
		free(c->hosts[i].uri);
	}
	free(c->hosts);
	free(c->d.dns);
	for (i = 0; i < c->d.nzones; i++)
		free(c->d.zones[i].name);
	free(c->d.zones);
	for (i = 0; i < c->d.nns; i++) {
		free(c->d.ns[i].name);
		free(c->d.ns[i].addrs);
	}
	free(c->d.ns);
	free(c->d.forward_clients);
	free(c->d.control);
	free(c->d.state);
	free(c->d.run);
	free(c->d.cgroup);
	for (i = 0; i < c->nerrors; i++)
		free(c->errors[i]);
	free(c);
}

void
config_error(struct config *c, const char *file, int line, const char *fmt,
    ...)
{
	char msg[512];
	va_list ap;
	int r;

	if (c->nerrors >= CFG_MAX_ERRORS) {
		c->nerrors_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		r = asprintf(&c->errors[c->nerrors], "%s:%d: %s", file, line, msg);
	else
		r = asprintf(&c->errors[c->nerrors], "%s: %s", file, msg);
	if (r >= 0)
		c->nerrors++;
	else
		c->nerrors_dropped++;
}

static struct cfg_service *
service_add(struct config *c, const char *name, const char *file, int line)
{
	struct cfg_service *n, *s;

	if ((n = realloc(c->svcs, (size_t)(c->nsvcs + 1) * sizeof(*n))) == NULL)
		return NULL;
	c->svcs = n;
	s = &c->svcs[c->nsvcs];
	memset(s, 0, sizeof(*s));
	if ((s->name = strdup(name)) == NULL)
		return NULL;
	s->file = file;
	s->line = line;
	s->backend = BACKEND_NONE;
	s->idle_ms = 60000;
	s->stop = STOP_DESTROY;
	s->cpus = 1;
	s->ready = READY_EXEC;
	s->boot_timeout_ms = 0;		/* filled per backend in check */
	s->grace_ms = 5000;
	s->failed_answer = FAILED_SERVFAIL;
	c->nsvcs++;
	return s;
}

const struct cfg_service *
config_find_service(const struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->nsvcs; i++)
		if (strcmp(c->svcs[i].name, name) == 0)
			return &c->svcs[i];
	return NULL;
}

int
config_find_host(const struct config *c, const char *name)
{
	for (int i = 0; i < c->nhosts; i++)
		if (strcmp(c->hosts[i].name, name) == 0)
			return i;
	return -1;
}

/* A new [host NAME]; its index, or -1 out of memory. */
int
config_host_add(struct config *c, const char *name, int line)
{
	struct cfg_host *n;

	if ((n = realloc(c->hosts, (size_t)(c->nhosts + 1) * sizeof(*n))) == NULL)
		return -1;
	c->hosts = n;
	memset(&n[c->nhosts], 0, sizeof(*n));
	if ((n[c->nhosts].name = strdup(name)) == NULL)
		return -1;
	n[c->nhosts].line = line;
	return c->nhosts++;
}

/* --- the INI file --- */

struct reader {
	struct config	*cfg;
	const char	*file;
	FILE		*f;		/* or: */
	const char	*text;
	int		 line;
	int		 section_line;
	struct cfg_service *svc;	/* current [service] or NULL */
	int		 host;		/* current [host], or -1 */
	bool		 in_daemon;
	bool		 in_bad;	/* inside an unknown/bad section */
};

static void enter_section(struct reader *, const char *);

static char *
ini_reader_fn(char *str, int num, void *stream)
{
	struct reader *r = stream;
	char line[CFG_LINE_MAX + 2];
	size_t n = 0;
	int ch;
	bool toolong = false;

	for (;;) {
		if (r->f != NULL)
			ch = getc(r->f);
		else
			ch = *r->text ? (unsigned char)*r->text++ : EOF;
		if (ch == EOF && n == 0 && !toolong)
			return NULL;
		if (ch == EOF || ch == '\n')
			break;
		if (n < CFG_LINE_MAX)
			line[n++] = (char)ch;
		else
			toolong = true;
	}
	line[n] = '\0';
	r->line++;
	if (toolong || (int)n + 2 > num) {
		config_error(r->cfg, r->file, r->line,
		    "line too long (at most %d characters)",
		    (num - 2) < CFG_LINE_MAX ? num - 2 : CFG_LINE_MAX);
		line[0] = '\0';
	}
	/* Sections are entered here, not in the handler, so that an
	 * empty section (a duplicate [service www] with no keys) is seen. */
	char copy[CFG_LINE_MAX + 2];
	snprintf(copy, sizeof(copy), "%s", line);
	char *t = str_trim(copy);
	size_t tl = strlen(t);
	if (*t == '[' && tl >= 2 && t[tl - 1] == ']') {
		t[tl - 1] = '\0';
		r->section_line = r->line;
		enter_section(r, str_trim(t + 1));
	}
	snprintf(str, (size_t)num, "%s\n", line);
	return str;
}

static void
enter_section(struct reader *r, const char *section)
{
	struct config *c = r->cfg;
	char name[256];

	r->svc = NULL;
	r->host = -1;
	r->in_daemon = false;
	r->in_bad = false;
	if (strcmp(section, "jitsud") == 0) {
		r->in_daemon = true;
		return;
	}
	if (strncmp(section, "host", 4) == 0 &&
	    (section[4] == ' ' || section[4] == '\t')) {
		snprintf(name, sizeof(name), "%s", section + 5);
		char *n = str_trim(name);
		if (*n == '\0' || strpbrk(n, " \t,=/:") != NULL) {
			config_error(c, r->file, r->section_line,
			    "bad host name \"%s\"", n);
			r->in_bad = true;
		} else if (config_find_host(c, n) >= 0) {
			config_error(c, r->file, r->section_line,
			    "duplicate host \"%s\"", n);
			r->in_bad = true;
		} else if ((r->host = config_host_add(c, n, r->section_line)) < 0) {
			config_error(c, r->file, r->section_line, "out of memory");
			r->in_bad = true;
		}
		return;
	}
	if (strncmp(section, "service", 7) == 0 &&
	    (section[7] == ' ' || section[7] == '\t')) {
		snprintf(name, sizeof(name), "%s", section + 8);
		char *n = str_trim(name);
		if (*n == '\0' || strpbrk(n, " \t,=/") != NULL) {
			config_error(c, r->file, r->section_line,
			    "bad service name \"%s\"", n);
			r->in_bad = true;
			return;
		}
		if (config_find_service(c, n) != NULL) {
			config_error(c, r->file, r->section_line,
			    "duplicate service \"%s\"", n);
			r->in_bad = true;
			return;
		}
		if ((r->svc = service_add(c, n, r->file, r->section_line)) == NULL) {
			config_error(c, r->file, r->section_line, "out of memory");
			r->in_bad = true;
		}
		return;
	}
	config_error(c, r->file, r->section_line,
	    "unknown section [%s] (want [jitsud], [service NAME] or "
	    "[host NAME])", section);
	r->in_bad = true;
}

static int
ini_handler_fn(void *user, const char *section, const char *key,
    const char *value)
{
	struct reader *r = user;
	const char *why = "bad value";
	int e;

	(void)section;
	if (r->in_bad)
		return 1;
	if (r->svc != NULL)
		e = config_set_service_key(r->svc, key, value, r->line, &why);
	else if (r->host >= 0)
		e = config_set_host_key(&r->cfg->hosts[r->host], key, value,
		    r->line, &why);
	else if (r->in_daemon)
		e = config_set_daemon_key(&r->cfg->d, key, value, r->line, &why);
	else {
		config_error(r->cfg, r->file, r->line,
		    "key \"%s\" outside any section", key);
		return 1;
	}
	if (e == -ENOENT)
		config_error(r->cfg, r->file, r->line, "unknown key \"%s\"%s",
		    key, r->svc ? " in [service]" : r->host >= 0 ? " in [host]" :
		    " in [jitsud]");
	else if (e < 0)
		config_error(r->cfg, r->file, r->line, "%s: %s = %s", why, key,
		    value);
	return 1;
}

static int
parse_reader(struct config *c, struct reader *r)
{
	int e;

	e = ini_parse_stream(ini_reader_fn, r, ini_handler_fn, r);
	if (e > 0)
		config_error(c, r->file, e, "syntax error (want key = value or "
		    "[section])");
	else if (e < 0)
		config_error(c, r->file, 0, "cannot parse (out of memory)");
	return c->nerrors;
}

int
config_parse_file(struct config *c, const char *path)
{
	struct reader r = { .cfg = c, .file = path, .host = -1 };

	c->file = path;
	if ((r.f = fopen(path, "r")) == NULL) {
		config_error(c, path, 0, "%s", strerror(errno));
		return c->nerrors;
	}
	parse_reader(c, &r);
	fclose(r.f);
	return c->nerrors;
}

int
config_parse_string(struct config *c, const char *name, const char *text)
{
	struct reader r = { .cfg = c, .file = name, .text = text, .host = -1 };

	c->file = name;
	return parse_reader(c, &r);
}

/* --- SPEC arguments: name=www,dns=www.example.test,address=... --- */

int
config_parse_spec(struct config *c, const char *spec, int index)
{
	char file[32], *buf, *tok, *save, *eq;
	char *keys[64], *vals[64];
	int n = 0, i, e;
	const char *why = "bad value", *name = NULL;
	struct cfg_service *s;

	snprintf(file, sizeof(file), "argument %d", index);
	if ((buf = strdup(spec)) == NULL) {
		config_error(c, file, 0, "out of memory");
		return c->nerrors;
	}
	/* A token without '=' continues the previous value, so that
	 * "ports=tcp:80,tcp:443" keeps its comma. */
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) == NULL) {
			if (n == 0) {
				config_error(c, file, 0, "bad SPEC \"%s\" (want "
				    "key=value,...)", tok);
				goto out;
			}
			tok[-1] = ',';	/* rejoin with the previous value */
			continue;
		}
		if (n == 64) {
			config_error(c, file, 0, "too many keys");
			goto out;
		}
		*eq = '\0';
		keys[n] = str_trim(tok);
		vals[n] = eq + 1;
		n++;
	}
	for (i = 0; i < n; i++)
		if (strcmp(keys[i], "name") == 0)
			name = str_trim(vals[i]);
	if (name == NULL || *name == '\0') {
		config_error(c, file, 0, "SPEC needs name=");
		goto out;
	}
	if (config_find_service(c, name) != NULL) {
		config_error(c, file, 0, "duplicate service \"%s\"", name);
		goto out;
	}
	if ((s = service_add(c, name, NULL, index)) == NULL) {
		config_error(c, file, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(keys[i], "name") == 0)
			continue;
		e = config_set_service_key(s, keys[i], str_trim(vals[i]), 0,
		    &why);
		if (e == -ENOENT)
			config_error(c, file, 0, "unknown key \"%s\"", keys[i]);
		else if (e < 0)
			config_error(c, file, 0, "%s: %s = %s", why, keys[i],
			    vals[i]);
	}
out:
	free(buf);
	return c->nerrors;
}
