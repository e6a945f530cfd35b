/* Unit tests of the QEMU command line and the names a VM gets. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "backend/qemu.h"
#include "tests/lib/t.h"

static struct qemu_spec
spec(void)
{
	struct qemu_spec s;

	memset(&s, 0, sizeof(s));
	s.qemu = "/usr/bin/qemu-system-x86_64";
	s.name = "www";
	s.image = "build/uk/hello.vm";
	inet_pton(AF_INET, "10.77.0.2", &s.addr);
	inet_pton(AF_INET, QEMU_GATEWAY, &s.gateway);
	qemu_guest_mac(&s.addr, s.mac);
	return s;
}

/* The word after `opt`, or NULL when opt is absent. */
static const char *
after(char **argv, const char *opt)
{
	for (int i = 0; argv[i] != NULL; i++)
		if (strcmp(argv[i], opt) == 0)
			return argv[i + 1];
	return NULL;
}

static int
count(char **argv, const char *word)
{
	int n = 0;

	for (int i = 0; argv[i] != NULL; i++)
		n += strcmp(argv[i], word) == 0;
	return n;
}

static void
defaults(void)
{
	struct qemu_spec s = spec();
	char buf[4096], *argv[QEMU_ARGV_MAX];
	int n = qemu_argv(&s, buf, sizeof(buf), argv, QEMU_ARGV_MAX);

	T_ASSERT(n > 0);
	T_ASSERT(argv[n] == NULL);
	T_ASSERT(strcmp(argv[0], s.qemu) == 0);
	T_ASSERT(strcmp(after(argv, "-M"), "microvm,x-option-roms=off,"
	    "isa-serial=on,rtc=off,pit=off,pic=off,acpi=off") == 0);
	T_ASSERT(strcmp(after(argv, "-accel"), "tcg") == 0);
	T_ASSERT(strcmp(after(argv, "-m"), "64M") == 0);
	T_ASSERT(strcmp(after(argv, "-smp"), "1") == 0);
	T_ASSERT(strcmp(after(argv, "-kernel"), "build/uk/hello.vm") == 0);
	T_ASSERT(after(argv, "-initrd") == NULL);
	T_ASSERT(strcmp(after(argv, "-append"),
	    "ip=10.77.0.2/32 gw=169.254.77.1") == 0);
	/* Console and QMP on listening sockets QEMU serves, so that a
	 * restarted jitsud can connect again; the console accepted before
	 * the guest runs. */
	T_ASSERT(strcmp(after(argv, "-serial"), "chardev:con") == 0);
	T_EQ(count(argv, "-chardev"), 2);
	T_EQ(count(argv, "socket,id=con,fd=5,server=on,wait=on"), 1);
	T_EQ(count(argv, "socket,id=qmp,fd=4,server=on,wait=off"), 1);
	T_ASSERT(strcmp(after(argv, "-netdev"), "tap,id=n0,fd=3") == 0);
	T_ASSERT(strcmp(after(argv, "-mon"), "chardev=qmp,mode=control") == 0);
	T_ASSERT(strcmp(after(argv, "-device"),
	    "virtio-net-device,netdev=n0,mac=02:6a:0a:4d:00:02") == 0);
	T_EQ(count(argv, "-nodefaults"), 1);
	T_EQ(count(argv, "-no-user-config"), 1);
	T_EQ(count(argv, "-no-reboot"), 1);
	T_ASSERT(strcmp(after(argv, "-display"), "none") == 0);
	T_ASSERT(after(argv, "-sandbox") == NULL);
	T_ASSERT(after(argv, "-runas") == NULL);
	/* vhost aborts QEMU on hosts without vhost-net. */
	for (int i = 0; i < n; i++)
		T_ASSERT(strstr(argv[i], "vhost") == NULL);
}

static void
options(void)
{
	struct qemu_spec s = spec();
	char buf[4096], *argv[QEMU_ARGV_MAX];

	s.kvm = true;
	s.initrd = "initrd.img";
	s.cmdline = "console=ttyS0 quiet";
	s.memory = (3ULL << 20) / 2;	/* 1.5 MiB: rounded up */
	s.cpus = 2;
	T_ASSERT(qemu_argv(&s, buf, sizeof(buf), argv, QEMU_ARGV_MAX) > 0);
	T_ASSERT(strcmp(after(argv, "-accel"), "kvm") == 0);
	T_ASSERT(strcmp(after(argv, "-initrd"), "initrd.img") == 0);
	T_ASSERT(strcmp(after(argv, "-append"),
	    "ip=10.77.0.2/32 gw=169.254.77.1 console=ttyS0 quiet") == 0);
	T_ASSERT(strcmp(after(argv, "-m"), "2M") == 0);
	T_ASSERT(strcmp(after(argv, "-smp"), "2") == 0);
	T_ASSERT(after(argv, "-sandbox") == NULL);
	s.seccomp = true;
	s.uid = 100007;
	T_ASSERT(qemu_argv(&s, buf, sizeof(buf), argv, QEMU_ARGV_MAX) > 0);
	T_ASSERT(strcmp(after(argv, "-sandbox"),
	    "on,obsolete=deny,spawn=deny,resourcecontrol=deny") == 0);
	T_ASSERT(strcmp(after(argv, "-runas"), "100007:100007") == 0);
	s.memory = 512ULL << 20;
	T_ASSERT(qemu_argv(&s, buf, sizeof(buf), argv, QEMU_ARGV_MAX) > 0);
	T_ASSERT(strcmp(after(argv, "-m"), "512M") == 0);
}

static void
too_small(void)
{
	struct qemu_spec s = spec();
	char buf[4096], *argv[QEMU_ARGV_MAX];

	T_EQ(qemu_argv(&s, buf, 100, argv, QEMU_ARGV_MAX), -ENOSPC);
	T_EQ(qemu_argv(&s, buf, sizeof(buf), argv, 10), -ENOSPC);
	T_ASSERT(qemu_argv(&s, buf, sizeof(buf), argv, QEMU_ARGV_MAX) > 0);
}

static void
names(void)
{
	struct in_addr a;
	uint8_t mac[6];
	char name[16];

	inet_pton(AF_INET, "10.77.0.2", &a);
	qemu_guest_mac(&a, mac);
	T_ASSERT(memcmp(mac, "\x02\x6a\x0a\x4d\x00\x02", 6) == 0);
	/* Locally administered, unicast. */
	T_EQ(mac[0] & 3, 2);
	qemu_tap_name(&a, name);
	T_ASSERT(strcmp(name, "jv0a4d0002") == 0);
	inet_pton(AF_INET, "255.255.255.254", &a);
	qemu_tap_name(&a, name);
	T_ASSERT(strcmp(name, "jvfffffffe") == 0);
	T_ASSERT(strlen(name) < 16);
}

int
main(void)
{
	T_RUN(defaults);
	T_RUN(options);
	T_RUN(too_small);
	T_RUN(names);
	return t_done();
}
