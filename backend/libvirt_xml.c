/*
 * backend/libvirt_xml.c - the transient domain jitsud asks libvirt for.
 * Pure; see libvirt.h.
 *
 * The machine is QEMU's microvm (libvirt 9.0 accepts it: the guest's
 * virtio-net sits on virtio-mmio, and with no USB controller nothing asks
 * for a PCI bus), the kernel booted directly with the guest's address on
 * its command line. Why each setting, measured with libvirtd's debug log
 * on this machine (TCG, microvm, hello.vm):
 *  - <cpu check='none'>: libvirt's default (check='full' on the default
 *    qemu64 model) verifies the started guest's CPU against the model:
 *    ~30 ms of a ~340 ms virDomainCreateXML (virsh create, TCG, quiet
 *    machine, interleaved). Most of the rest, ~250 ms, is libvirt 9.0
 *    reading ~400 CPU properties one qom-get at a time after QEMU starts
 *    (qemuProcessFetchGuestCPU, unconditional on x86): no XML setting
 *    avoided it here (mode='maximum' reads them too, and more).
 *  - no USB controller, no memballoon: devices the guest cannot use;
 *    USB alone drags in a PCI bus that microvm does not have.
 *  - on_* destroy: a guest that ends or resets is gone, and jitsud hears
 *    a stopped event instead of a reboot loop.
 *  - <interface type='ethernet'> with a host-side point-to-point address
 *    (<source><ip peer=...>): libvirt makes the tap, puts the gateway on
 *    it and routes the guest's /32 to it; no bridge, no dnsmasq. For a
 *    guest reached directly, <target dev= managed='no'/> instead: the
 *    tap is jitsud's, made ahead, and libvirt only opens it.
 *  - a pty serial console: jitsud reads it with virDomainOpenConsole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend/libvirt.h"

struct out {
	char	*buf;
	size_t	 len, off;
	bool	 full;
};

/* Markup and numbers only: never a value from the configuration. */
static void __attribute__((format(printf, 2, 3)))
raw(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->full)
		return;
	va_start(ap, fmt);
	r = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= o->len - o->off)
		o->full = true;
	else
		o->off += (size_t)r;
}

/* A value from the configuration, in an element or an attribute. */
static void
esc(struct out *o, const char *s)
{
	if (!o->full && !lv_xml_escape(o->buf, o->len, &o->off, s))
		o->full = true;
}

bool
lv_xml_escape(char *buf, size_t len, size_t *off, const char *s)
{
	size_t o = *off;
	const char *rep;
	size_t rl;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':	rep = "&amp;"; break;
		case '<':	rep = "&lt;"; break;
		case '>':	rep = "&gt;"; break;
		case '\'':	rep = "&apos;"; break;
		case '"':	rep = "&quot;"; break;
		default:	rep = NULL; break;
		}
		rl = rep ? strlen(rep) : 1;
		if (o + rl >= len)
			return false;
		memcpy(buf + o, rep ? rep : s, rl);
		o += rl;
	}
	buf[o] = '\0';
	*off = o;
	return true;
}

int
lv_domain_xml(const struct lv_spec *s, char *buf, size_t len)
{
	struct out o = { buf, len, 0, len == 0 };
	char guest[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	uint64_t kib = (s->memory ? s->memory : LV_DEFAULT_MEMORY) >> 10;
	const uint8_t *m = s->mac;

	inet_ntop(AF_INET, &s->guest, guest, sizeof(guest));
	inet_ntop(AF_INET, &s->gateway, gw, sizeof(gw));
	raw(&o, "<domain type='%s'>\n  <name>", s->kvm ? "kvm" : "qemu");
	esc(&o, s->name);
	raw(&o, "</name>\n  <memory unit='KiB'>%llu</memory>\n"
	    "  <vcpu>%u</vcpu>\n  <os>\n"
	    "    <type arch='x86_64' machine='microvm'>hvm</type>\n"
	    "    <kernel>", (unsigned long long)kib, s->cpus ? s->cpus : 1);
	esc(&o, s->image);
	raw(&o, "</kernel>\n");
	if (s->initrd != NULL) {
		raw(&o, "    <initrd>");
		esc(&o, s->initrd);
		raw(&o, "</initrd>\n");
	}
	/* The guest's netmask takes in the gateway, so it is on-link and
	 * the guest resolves it with a plain ARP request. */
	raw(&o, "    <cmdline>ip=%s/%u gw=%s", guest, s->prefix, gw);
	if (s->cmdline != NULL) {
		raw(&o, " ");
		esc(&o, s->cmdline);
	}
	raw(&o, "</cmdline>\n  </os>\n");
	/* libvirt's default model, unchecked. host-passthrough is not
	 * used: -cpu host aborts QEMU under nested KVM (qemu backend). */
	if (s->tuned)
		raw(&o, "  <cpu mode='custom' match='exact' check='none'>"
		    "<model fallback='allow'>qemu64</model></cpu>\n");
	raw(&o, "  <on_poweroff>destroy</on_poweroff>\n"
	    "  <on_reboot>destroy</on_reboot>\n"
	    "  <on_crash>destroy</on_crash>\n"
	    "  <devices>\n"
	    "    <controller type='usb' model='none'/>\n"
	    "    <memballoon model='none'/>\n"
	    "    <interface type='ethernet'>\n"
	    "      <mac address='%02x:%02x:%02x:%02x:%02x:%02x'/>\n",
	    m[0], m[1], m[2], m[3], m[4], m[5]);
	if (s->tap != NULL) {
		raw(&o, "      <target dev='");
		esc(&o, s->tap);
		raw(&o, "' managed='no'/>\n");
	} else
		raw(&o, "      <source><ip address='%s' prefix='32' peer='%s'/>"
		    "</source>\n", gw, guest);
	raw(&o, "      <model type='virtio'/>\n"
	    "      <address type='virtio-mmio'/>\n"
	    "    </interface>\n"
	    "    <serial type='pty'><target port='0'/></serial>\n"
	    "    <console type='pty'><target type='serial' port='0'/></console>\n"
	    "  </devices>\n</domain>\n");
	return o.full ? -ENOSPC : (int)o.off;
}
