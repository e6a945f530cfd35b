/*
 * backend/qemu_cmdline.c - the QEMU command line for a service, and the
 * names and addresses jitsud gives a VM. Pure; see qemu.h.
 *
 * The machine is the fastest to boot measured here (DESIGN.md): microvm
 * without option ROMs, ACPI, PIC, PIT or RTC (~66 ms to a tiny kernel's
 * first serial byte under TCG; the default microvm costs ~11 ms more).
 * Devices: one virtio-net on the tap jitsud made (no vhost: it aborts
 * QEMU on hosts without vhost-net), the serial port and QMP each on a
 * unix socket jitsud made, bound and listening, that QEMU serves (so a
 * jitsud restarted after a crash connects again; a socketpair would die
 * with the old jitsud), isa-debug-exit so a uk guest can end with a
 * status. Measured here, the seccomp filter and the uid drop cost
 * nothing visible.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend/qemu.h"

struct args {
	char	*buf;
	size_t	 len, used;
	char	**argv;
	int	 max, n;
	bool	 full;
};

static void __attribute__((format(printf, 2, 3)))
add(struct args *a, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (a->full || a->n + 1 >= a->max) {
		a->full = true;
		return;
	}
	va_start(ap, fmt);
	r = vsnprintf(a->buf + a->used, a->len - a->used, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= a->len - a->used) {
		a->full = true;
		return;
	}
	a->argv[a->n++] = a->buf + a->used;
	a->used += (size_t)r + 1;
}

int
qemu_argv(const struct qemu_spec *s, char *buf, size_t buflen, char **argv,
    int max)
{
	struct args a = { buf, buflen, 0, argv, max, 0, false };
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	uint64_t mib = s->memory ? s->memory : QEMU_DEFAULT_MEMORY;
	const uint8_t *m = s->mac;

	inet_ntop(AF_INET, &s->addr, ip, sizeof(ip));
	inet_ntop(AF_INET, &s->gateway, gw, sizeof(gw));
	mib = (mib + (1ULL << 20) - 1) >> 20;
	add(&a, "%s", s->qemu);
	add(&a, "-name");
	add(&a, "%s", s->name);
	add(&a, "-M");
	add(&a, "microvm,x-option-roms=off,isa-serial=on,rtc=off,pit=off,"
	    "pic=off,acpi=off");
	add(&a, "-accel");
	/* The default CPU model: -cpu host aborts QEMU under nested KVM
	 * (an MSR the outer hypervisor refuses). */
	add(&a, "%s", s->kvm ? "kvm" : "tcg");
	add(&a, "-nodefaults");
	add(&a, "-no-user-config");
	add(&a, "-display");
	add(&a, "none");
	/* A guest reset ends QEMU instead of booting the kernel again. */
	add(&a, "-no-reboot");
	add(&a, "-m");
	add(&a, "%lluM", (unsigned long long)mib);
	add(&a, "-smp");
	add(&a, "%u", s->cpus ? s->cpus : 1);
	add(&a, "-kernel");
	add(&a, "%s", s->image);
	if (s->initrd != NULL) {
		add(&a, "-initrd");
		add(&a, "%s", s->initrd);
	}
	add(&a, "-append");
	add(&a, "ip=%s/32 gw=%s%s%s", ip, gw, s->cmdline ? " " : "",
	    s->cmdline ? s->cmdline : "");
	/* wait=on: QEMU accepts jitsud's connection (made before the
	 * fork) before the guest runs, so no early line is lost. While no
	 * one is connected QEMU drops the guest's output: the guest never
	 * blocks on a jitsud that is gone. */
	add(&a, "-chardev");
	add(&a, "socket,id=con,fd=%d,server=on,wait=on", QEMU_FD_CONSOLE);
	add(&a, "-serial");
	add(&a, "chardev:con");
	add(&a, "-chardev");
	add(&a, "socket,id=qmp,fd=%d,server=on,wait=off", QEMU_FD_QMP);
	add(&a, "-mon");
	add(&a, "chardev=qmp,mode=control");
	add(&a, "-netdev");
	add(&a, "tap,id=n0,fd=%d", QEMU_FD_TAP);
	add(&a, "-device");
	add(&a, "virtio-net-device,netdev=n0,mac=%02x:%02x:%02x:%02x:%02x:%02x",
	    m[0], m[1], m[2], m[3], m[4], m[5]);
	add(&a, "-device");
	add(&a, "isa-debug-exit,iobase=0xf4,iosize=0x04");
	/* A guest that breaks out of the device model finds a process
	 * that cannot exec, fork helpers, renice or use obsolete calls,
	 * and that runs as the service's own uid: everything it needs
	 * (tap, QMP, console, kernel, /dev/kvm) is open before QEMU drops
	 * root. Not elevateprivileges=deny: it would refuse the drop. */
	if (s->seccomp) {
		add(&a, "-sandbox");
		add(&a, "on,obsolete=deny,spawn=deny,resourcecontrol=deny");
	}
	if (s->uid != 0) {
		add(&a, "-runas");
		add(&a, "%u:%u", s->uid, s->uid);
	}
	if (a.full)
		return -ENOSPC;
	argv[a.n] = NULL;
	return a.n;
}

void
qemu_guest_mac(const struct in_addr *addr, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x6a;
	memcpy(mac + 2, &addr->s_addr, 4);	/* network order */
}

void
qemu_tap_name(const struct in_addr *addr, char name[16])
{
	snprintf(name, 16, "jv%08x", ntohl(addr->s_addr));
}
