/*
 * Unit tests of the libvirt backend's domain XML: every value escaped,
 * the tuned start-path settings present, no overflow. With libvirt built
 * in, libvirt's own parser (the test:///default driver, in process)
 * must read the XML back to the exact values, however hostile.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif

#include "backend/libvirt.h"
#include "tests/lib/t.h"

#define NASTY_NAME	"jitsu-a<b>&'\"c"
#define NASTY_IMAGE	"/tmp/x&y/<hello>.vm"
#define NASTY_CMDLINE	"say=\"hi\" & <bye> 'now'"

static void
spec(struct lv_spec *s, const char *name, const char *image,
    const char *cmdline)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->image = image;
	s->cmdline = cmdline;
	s->tuned = true;
	inet_pton(AF_INET, "10.98.0.7", &s->guest);
	inet_pton(AF_INET, "10.98.0.1", &s->gateway);
	s->prefix = 16;
	s->memory = 32ULL << 20;
	s->cpus = 2;
	memcpy(s->mac, "\x02\x6a\x0a\x62\x00\x07", 6);
}

static void
escape(void)
{
	char buf[64];
	size_t off = 0;

	T_ASSERT(lv_xml_escape(buf, sizeof(buf), &off, "a<b>&'\"c"));
	T_ASSERT(strcmp(buf, "a&lt;b&gt;&amp;&apos;&quot;c") == 0);
	T_EQ(off, strlen(buf));
	/* Too small: nothing written past the end, offset kept. */
	off = 0;
	T_ASSERT(!lv_xml_escape(buf, 5, &off, "&&"));
	T_EQ(off, 0);
	off = 0;
	T_ASSERT(lv_xml_escape(buf, 6, &off, "&"));
	T_EQ(off, 5);
}

static void
values_escaped(void)
{
	struct lv_spec s;
	char xml[4096];
	int n;

	spec(&s, NASTY_NAME, NASTY_IMAGE, NASTY_CMDLINE);
	n = lv_domain_xml(&s, xml, sizeof(xml));
	T_ASSERT(n > 0);
	T_EQ(n, strlen(xml));
	T_ASSERT(strstr(xml, "<name>jitsu-a&lt;b&gt;&amp;&apos;&quot;c</name>"));
	T_ASSERT(strstr(xml, "<kernel>/tmp/x&amp;y/&lt;hello&gt;.vm</kernel>"));
	T_ASSERT(strstr(xml, "<cmdline>ip=10.98.0.7/16 gw=10.98.0.1 say=&quot;hi"
	    "&quot; &amp; &lt;bye&gt; &apos;now&apos;</cmdline>"));
	/* No raw value leaked anywhere. */
	T_ASSERT(strstr(xml, "x&y") == NULL && strstr(xml, "<hello>") == NULL &&
	    strstr(xml, "<bye>") == NULL);
}

static void
settings(void)
{
	struct lv_spec s;
	char xml[4096];

	spec(&s, "jitsu-www", "/b/hello.vm", NULL);
	T_ASSERT(lv_domain_xml(&s, xml, sizeof(xml)) > 0);
	T_ASSERT(strstr(xml, "<domain type='qemu'>"));
	T_ASSERT(strstr(xml, "machine='microvm'"));
	T_ASSERT(strstr(xml, "<memory unit='KiB'>32768</memory>"));
	T_ASSERT(strstr(xml, "<vcpu>2</vcpu>"));
	T_ASSERT(strstr(xml, "<cmdline>ip=10.98.0.7/16 gw=10.98.0.1</cmdline>"));
	T_ASSERT(strstr(xml, "check='none'"));
	T_ASSERT(strstr(xml, "<controller type='usb' model='none'/>"));
	T_ASSERT(strstr(xml, "<memballoon model='none'/>"));
	T_ASSERT(strstr(xml, "<address type='virtio-mmio'/>"));
	T_ASSERT(strstr(xml, "<mac address='02:6a:0a:62:00:07'/>"));
	T_ASSERT(strstr(xml, "<ip address='10.98.0.1' prefix='32' "
	    "peer='10.98.0.7'/>"));
	T_ASSERT(strstr(xml, "<initrd>") == NULL);
	s.kvm = true;
	s.tuned = false;
	s.memory = 0;
	s.initrd = "/b/i&d";
	T_ASSERT(lv_domain_xml(&s, xml, sizeof(xml)) > 0);
	T_ASSERT(strstr(xml, "<domain type='kvm'>"));
	T_ASSERT(strstr(xml, "check='none'") == NULL);
	T_ASSERT(strstr(xml, "<memory unit='KiB'>65536</memory>"));
	T_ASSERT(strstr(xml, "<initrd>/b/i&amp;d</initrd>"));
}

/* A guest reached directly: jitsud's own tap, opened by name, and no
 * address for libvirt to put on a tap of its making. */
static void
own_tap(void)
{
	struct lv_spec s;
	char xml[4096];

	spec(&s, "jitsu-www", "/b/hello.vm", NULL);
	s.prefix = 32;
	s.tap = "jl0a4d0002";
	T_ASSERT(lv_domain_xml(&s, xml, sizeof(xml)) > 0);
	T_ASSERT(strstr(xml, "<target dev='jl0a4d0002' managed='no'/>"));
	T_ASSERT(strstr(xml, "<source>") == NULL);
	T_ASSERT(strstr(xml, "<cmdline>ip=10.98.0.7/32 gw=10.98.0.1</cmdline>"));
	s.tap = "a'b";
	T_ASSERT(lv_domain_xml(&s, xml, sizeof(xml)) > 0);
	T_ASSERT(strstr(xml, "<target dev='a&apos;b' managed='no'/>"));
}

/* Every buffer short of the full length fails cleanly, never cut. */
static void
no_overflow(void)
{
	struct lv_spec s;
	char full[4096], *b;
	int n, r;

	spec(&s, NASTY_NAME, NASTY_IMAGE, NASTY_CMDLINE);
	n = lv_domain_xml(&s, full, sizeof(full));
	T_ASSERT(n > 0);
	for (size_t len = 0; len <= (size_t)n + 1; len++) {
		T_ASSERT((b = malloc(len + 1)) != NULL);
		b[len] = 'Z';
		r = lv_domain_xml(&s, b, len);
		if (len <= (size_t)n)
			T_EQ(r, -ENOSPC);
		else {
			T_EQ(r, n);
			T_ASSERT(strcmp(b, full) == 0);
		}
		T_ASSERT(b[len] == 'Z');
		free(b);
	}
}

#ifdef HAVE_LIBVIRT
static void
quiet(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

/* Between <tag> and </tag> in s, into out. */
static int
element(const char *s, const char *tag, char *out, size_t len)
{
	char open[64], close[64];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((a = strstr(s, open)) == NULL || (b = strstr(a, close)) == NULL)
		return -1;
	a += strlen(open);
	snprintf(out, len, "%.*s", (int)(b - a), a);
	return 0;
}

static void
libvirt_reads_it_back(void)
{
	struct lv_spec s;
	char xml[4096], name[128], *back;
	virConnectPtr c;
	virDomainPtr d;

	virSetErrorFunc(NULL, quiet);
	T_ASSERT((c = virConnectOpen("test:///default")) != NULL);
	spec(&s, NASTY_NAME, NASTY_IMAGE, NASTY_CMDLINE);
	T_ASSERT(lv_domain_xml(&s, xml, sizeof(xml)) > 0);
	d = virDomainDefineXML(c, xml);
	if (d == NULL)
		printf("  (libvirt: %s)\n", virGetLastErrorMessage());
	T_ASSERT(d != NULL);
	T_ASSERT(strcmp(virDomainGetName(d), NASTY_NAME) == 0);
	T_ASSERT((back = virDomainGetXMLDesc(d, 0)) != NULL);
	/* libvirt writes the values escaped again: compare them through
	 * our own escaping. */
	T_ASSERT(element(back, "kernel", name, sizeof(name)) == 0);
	T_ASSERT(strcmp(name, "/tmp/x&amp;y/&lt;hello&gt;.vm") == 0);
	T_ASSERT(element(back, "cmdline", name, sizeof(name)) == 0);
	T_ASSERT(strstr(name, "&lt;bye&gt;") != NULL && strstr(name, "say=") != NULL);
	T_ASSERT(strstr(back, "machine='microvm'") != NULL);
	T_ASSERT(strstr(back, "peer='10.98.0.7'") != NULL);
	T_ASSERT(strstr(back, "check='none'") != NULL);
	free(back);
	T_EQ(virDomainUndefine(d), 0);
	virDomainFree(d);
	virConnectClose(c);
}
#endif

int
main(void)
{
	T_RUN(escape);
	T_RUN(values_escaped);
	T_RUN(settings);
	T_RUN(own_tap);
	T_RUN(no_overflow);
#ifdef HAVE_LIBVIRT
	T_RUN(libvirt_reads_it_back);
#endif
	return t_done();
}
