/*
 * backend/qemu.h - the parts of `backend = qemu` that are pure functions
 * (the QEMU command line, the names and addresses jitsud gives a VM, the
 * parsing of QMP messages) and the QMP client, so the unit tests see
 * exactly what the backend runs. The ops table is backend_qemu in
 * backend/backend.h.
 */
#ifndef BACKEND_QEMU_H
#define BACKEND_QEMU_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"

/*
 * The host side of every VM's point-to-point link: the guest's gw=, the
 * source of the host's own connections to it. Link-local, so it is
 * nobody's routable address, and the same on every tap: the host
 * answers ARP for it on each (it is local), and a /32 on each tap keeps
 * the link usable when the host has no other address.
 */
#define QEMU_GATEWAY		"169.254.77.1"
#define QEMU_DEFAULT_MEMORY	(64ULL << 20)
/* Descriptor numbers in QEMU: the tap's queue, and the listening
 * sockets of QMP and of the serial console. A re-adopting jitsud takes
 * a copy of the tap's from QEMU by this number (pidfd_getfd). */
#define QEMU_FD_TAP		3
#define QEMU_FD_QMP		4
#define QEMU_FD_CONSOLE		5
#define QEMU_ARGV_MAX		48

struct qemu_spec {
	const char	*qemu;		/* the binary */
	const char	*name;		/* the service */
	bool		 kvm;
	const char	*image;
	const char	*initrd;	/* or NULL */
	const char	*cmdline;	/* appended after ip= gw=, or NULL */
	struct in_addr	 addr, gateway;
	uint64_t	 memory;	/* bytes; 0: QEMU_DEFAULT_MEMORY */
	uint32_t	 cpus;		/* 0: 1 */
	uint8_t		 mac[6];
	bool		 seccomp;	/* QEMU's own filter (-sandbox) */
	unsigned	 uid;		/* run as uid:uid after set-up; 0: stay */
};

/* The argument vector for spec, its strings in buf; argv ends with
 * NULL. Returns argc, or -ENOSPC when buf or max is too small. */
int	qemu_argv(const struct qemu_spec *, char *buf, size_t buflen,
	    char **argv, int max);
/* The MAC jitsud gives the guest at addr: 02:6a (locally administered,
 * 'j') and the four address bytes, so it is stable and unique. */
void	qemu_guest_mac(const struct in_addr *, uint8_t mac[6]);
/* The tap's name for the guest at addr: "jv" and the address in hex
 * (10 characters, within IFNAMSIZ, stable across reloads). */
void	qemu_tap_name(const struct in_addr *, char name[16]);

/* --- QMP (backend/qemu_qmp.c) --- */

enum qmp_kind { QMP_GREETING, QMP_RETURN, QMP_ERROR, QMP_EVENT };

struct qmp_msg {
	enum qmp_kind	 kind;
	char		 name[64];	/* event name, or error class */
	char		 desc[160];	/* error description */
	int		 running;	/* a return's "running": 1, 0, or -1 */
};

/* One QMP message (a JSON object, as QEMU sends one per line). 0, or
 * -EINVAL when it is not a JSON object or has none of the known keys. */
int	qmp_parse(const char *line, size_t len, struct qmp_msg *);

#define QMP_PENDING_MAX	8

struct qmp;
/* A reply to cmd (kind QMP_RETURN or QMP_ERROR), or an event (cmd NULL). */
typedef void (*qmp_fn)(struct qmp *, const struct qmp_msg *, const char *cmd,
    void *arg);

/*
 * A non-blocking QMP client on a connected stream socket, run by the
 * event loop. Commands may be sent at once: the capabilities handshake
 * goes first and QEMU answers in order, so replies are matched to a
 * FIFO of the commands sent.
 */
struct qmp {
	struct loop	*loop;
	int		 fd;		/* -1: closed */
	char		 in[8192];
	size_t		 inlen;
	char		 out[1024];
	size_t		 outlen;
	const char	*pending[QMP_PENDING_MAX];
	int		 npending;
	bool		 greeted;
	qmp_fn		 fn;
	void		*arg;
};

int	qmp_open(struct qmp *, struct loop *, int fd, qmp_fn, void *arg);
/* The same on a connection whose capabilities handshake is done. */
int	qmp_attach(struct qmp *, struct loop *, int fd, qmp_fn, void *arg);
/*
 * On a fresh connection to a QEMU that is already running (adoption):
 * wait for the greeting, negotiate, and ask query-status, blocking up
 * to timeout_ms; *running is false when the VM is paused. 0 or -errno
 * (-ETIMEDOUT, -EPROTO). The connection is then ready for qmp_attach.
 */
int	qmp_status(int fd, int timeout_ms, bool *running);
/* Queue {"execute": cmd}; cmd must be a static string. 0 or -errno
 * (-ENOTCONN when closed, -ENOBUFS when too many are outstanding). */
int	qmp_send(struct qmp *, const char *cmd);
void	qmp_close(struct qmp *);

#endif
