# uk/vm/vm.mk - the vm target: every app in uk/apps/NAME/ also builds as
# $(B)/uk/NAME.vm, a PVH ELF kernel for QEMU microvm (and Firecracker,
# Xen PVH). Included by uk/uk.mk. Also: the host build of uk/net for its
# unit tests, and its fuzz target.
#
# The kernel is linked and run at 1 MiB, identity-mapped, so the default
# small code model fits (-mcmodel=kernel wants the top 2 GiB). No SSE in
# the kernel: interrupt entry then saves no vector state.

VM_CFLAGS  = -std=gnu11 $(WARN) -D_GNU_SOURCE -I. -O2 -g \
	     -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	     -mgeneral-regs-only -fno-stack-protector -fno-common \
	     -fno-asynchronous-unwind-tables -fno-unwind-tables \
	     -fcf-protection=none $(UK_FREESTANDING_CFLAGS)
VM_LDFLAGS = -nostdlib -static -Wl,-T,uk/vm/vm.ld \
	     -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none
VM_OBJ     = $(B)/obj-vm

# The kernel: runtime, drivers, stack, shared uk/lib; appname.c is
# compiled per app.
VM_RT_SRCS = $(filter-out uk/vm/appname.c,$(wildcard uk/vm/*.c)) \
	     $(wildcard uk/vm/*.S) $(wildcard uk/net/*.c) $(wildcard uk/lib/*.c)
VM_RT_OBJS = $(patsubst %,$(VM_OBJ)/%.o,$(basename $(VM_RT_SRCS)))

$(VM_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(VM_CFLAGS) -MMD -MP -c -o $@ $<

$(VM_OBJ)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(VM_CFLAGS) -MMD -MP -c -o $@ $<

# Apps with sources; NAME.vm.elf keeps symbols and debug info for gdb
# and addr2line, NAME.vm is what boots.
UK_VM_APPS := $(foreach d,$(wildcard uk/apps/*),$(if $(wildcard $(d)/*.c),$(notdir $(d))))

define uk_vm_app
$(VM_OBJ)/appname-$(1).o: uk/vm/appname.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(VM_CFLAGS) -DUK_APP_NAME='"$(1)"' -MMD -MP -c -o $$@ $$<

$(B)/uk/$(1).vm.elf: $(VM_RT_OBJS) $(VM_OBJ)/appname-$(1).o \
    $(patsubst %.c,$(VM_OBJ)/%.o,$(wildcard uk/apps/$(1)/*.c)) uk/vm/vm.ld
	@mkdir -p $$(dir $$@)
	$$(CC) $$(VM_LDFLAGS) -o $$@ $$(filter %.o,$$^)

$(B)/uk/$(1).vm: $(B)/uk/$(1).vm.elf
	objcopy --strip-all $$< $$@
endef
$(foreach a,$(UK_VM_APPS),$(eval $(call uk_vm_app,$(a))))

# The kernel is x86-64 code (PVH entry, 64-bit page tables): other
# targets (make arm64) build no .vm; uk/net's host tests below still build.
ifneq ($(filter x86_64-%,$(TARGET_MACHINE)),)
UK_VM_BINS += $(UK_VM_APPS:%=$(B)/uk/%.vm)
uk: $(UK_VM_BINS)
endif

# uk/net on the host, for tests/unit/test_uknet*.c (the generic unit test
# rule links the daemon library instead).
UKNET_SRCS   = $(wildcard uk/net/*.c)
UKNET_TESTS  = $(filter $(B)/tests/test_uknet%,$(UNIT_BINS))
$(UKNET_TESTS): $(B)/tests/%: $(B)/obj/tests/unit/%.o \
    $(UKNET_SRCS:%.c=$(B)/obj/%.o) $(TLIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $^
unit-tests: $(UKNET_TESTS)

# The fuzz target: the frame input path of uk/net.
FUZZ_BINS += $(if $(wildcard tests/fuzz/fuzz_uknet.c),build/fuzz/fuzz_uknet)
build/fuzz/fuzz_uknet: tests/fuzz/fuzz_uknet.c $(UKNET_SRCS) $(wildcard uk/net/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_uknet.c $(UKNET_SRCS)

-include $(shell find $(VM_OBJ) -name '*.d' 2>/dev/null)
