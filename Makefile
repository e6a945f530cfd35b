# jitsu - top-level build. Plain GNU make; every folder's *.c is picked up
# by a wildcard, so adding a file needs no edit here.
#
#   make            build/jitsud, build/jitsuctl, build/uk/hello.{unix,vm}, tests
#   make check      build and run every test (what scripts/run-tests does)
#   make asan       jitsud, jitsuctl and the unit tests under ASan+UBSan in
#                   build/asan (scripts/run-tests runs the integration
#                   tests against build/asan/jitsud)
#   make fuzz       libFuzzer targets (clang) in build/fuzz
#   make arm64      jitsud, jitsuctl, uk apps (unix), unit tests for arm64
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        a Debian package in build/deb (DEBDIR=), dpkg-dev

CC	?= cc
B	?= build
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man

WARN	 = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	   -Wold-style-definition -Wshadow -Wpointer-arith -Wvla
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -I. $(CFLAGS_LIBVIRT) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS	 = -linih -lseccomp -lmnl -lnetfilter_conntrack
# The libvirt backend when the compiler finds libvirt (Debian: libvirt-dev);
# without it backend/libvirt_host.c builds a stub that says so.
ifneq ($(shell $(CC) -print-file-name=libvirt.so),libvirt.so)
# Not linked: backend/libvirt_dl.c loads it on first use (a linked
# libvirt costs every jitsud ~11 MiB of RSS and slows every clone).
LDLIBS	+= -ldl -lpthread
CFLAGS_LIBVIRT = -DHAVE_LIBVIRT
# ASan intercepts libtirpc's xdrmem_create, which libvirt's RPC calls; with
# libtirpc loaded only later (by the dlopen of libvirt) the interceptor has
# no real function to call and jitsud crashes on the first virConnectOpen.
# Linked from the start, it is found when ASan starts.
ASAN_LIBVIRT_LIBS = -Wl,--push-state,--no-as-needed -ltirpc -Wl,--pop-state
endif
LDFLAGS	?=
# The compiler's target (x86_64-linux-gnu, aarch64-linux-gnu, ...): parts
# that only exist for x86-64 (the uk vm kernel) test it. One fork per make.
TARGET_MACHINE := $(shell $(CC) -dumpmachine)

# Daemon library: everything except the entry points, so unit tests link
# exactly the code jitsud runs.
LIB_DIRS = core config dns service backend sandbox net control
LIB_SRCS = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJS = $(LIB_SRCS:%.c=$(B)/obj/%.o)
LIB	 = $(B)/libjitsu.a

UNIT_SRCS  = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
TLIB_SRCS  = $(wildcard tests/lib/*.c)
TLIB_OBJS  = $(TLIB_SRCS:%.c=$(B)/obj/%.o)

PROGS = $(B)/jitsud $(if $(wildcard jitsuctl/*.c),$(B)/jitsuctl)

.PHONY: all clean check asan fuzz fuzzlib install uk tests unit-tests FORCE \
	progs arm64 deb
all: $(PROGS) uk tests
progs: $(PROGS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(B)/jitsud: $(patsubst %.c,$(B)/obj/%.o,$(wildcard jitsud/*.c)) $(LIB)
	$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/jitsuctl: $(patsubst %.c,$(B)/obj/%.o,$(wildcard jitsuctl/*.c)) $(LIB)
	$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(TLIB_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS)

# Helper programs for integration tests: tests/helpers/NAME.c ->
# build/tests/helpers/NAME, linked with the daemon library.
HELPER_BINS = $(patsubst tests/helpers/%.c,$(B)/tests/helpers/%,$(wildcard tests/helpers/*.c))
$(B)/tests/helpers/%: tests/helpers/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS)

# Stand-in images for integration tests: tests/apps/NAME.c ->
# build/tests/apps/NAME, static so the sandbox needs to map nothing else.
APP_BINS = $(patsubst tests/apps/%.c,$(B)/tests/apps/%,$(wildcard tests/apps/*.c))
$(B)/tests/apps/%: tests/apps/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -static -o $@ $<

# unit-tests: what `make asan` builds with sanitizers (other .mk files add
# their unit test binaries to it); tests: those plus helpers and apps.
unit-tests: $(UNIT_BINS)
tests: unit-tests $(HELPER_BINS) $(APP_BINS)

# The uk library OS and its apps have their own rules.
include uk/uk.mk
include tests/helpers/sandbox.mk
include tests/vm/tiny.mk
-include bench/bench.mk

check: all
	bash tests/run.sh

asan:
	$(MAKE) B=build/asan CC=clang \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined $(ASAN_LIBVIRT_LIBS)" progs unit-tests

# Cross build for arm64 with Debian's aarch64-linux-gnu-gcc and the
# :arm64 multiarch -dev packages (scripts/deps-arm64.sh installs them).
# What ships plus the unit tests (~4 s more, once); helpers, ASan and
# fuzz builds stay native. tests/integration/70-arm64-qemu-user.sh runs
# them under qemu-user.
ARM64_CC ?= aarch64-linux-gnu-gcc
arm64:
	$(MAKE) B=build/arm64 CC=$(ARM64_CC) progs uk unit-tests

# libFuzzer targets: each tests/fuzz/fuzz_NAME.c is linked with the daemon
# library built with coverage instrumentation in build/fuzzlib. Other
# folders (uk/) append their own binaries to FUZZ_BINS with their own rules.
# tests/run.sh replays tests/fuzz/corpus/NAME/ through build/fuzz/fuzz_NAME.
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -I. -O1 -g -fsanitize=fuzzer,address,undefined
FUZZ_BINS  += $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB    = build/fuzzlib/libjitsu.a
fuzz: $(FUZZ_BINS)

# The instrumented library is made by a sub-make with its own B, so its
# objects never mix with the plain build's.
fuzzlib:
	$(MAKE) B=build/fuzzlib CC=clang \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" $(FUZZ_LIB)

build/fuzz/%: tests/fuzz/%.c fuzzlib
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB) $(LDLIBS)

FORCE:

UNITDIR	?= $(PREFIX)/lib/systemd/system

install: $(PROGS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 0755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	sed 's|@SBINDIR@|$(SBINDIR)|g' contrib/jitsud.service.in \
	    >$(DESTDIR)$(UNITDIR)/jitsud.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/jitsud.service

# A .deb of what `make install` installs for /usr, plus the uk demo app
# and an example configuration using it (scripts/mkdeb.sh says what).
DEBDIR ?= $(B)/deb
deb: progs uk
	bash scripts/mkdeb.sh $(B) $(DEBDIR)

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
