# tests/vm/tiny.mk - the tiny PVH kernels of tests/vm/tiny.S (included by
# the top Makefile): build/tests/vm/floor.vm and build/tests/vm/hang.vm.
# Linked at 1 MiB, where PVH loaders put kernels; one note, no build id.
TINY_LDFLAGS = -nostdlib -static -Wl,-Ttext-segment=0x100000 \
	       -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	       -Wl,-z,noexecstack
TINY_VMS = $(B)/tests/vm/floor.vm $(B)/tests/vm/hang.vm

$(B)/tests/vm/floor.vm: tests/vm/tiny.S tests/vm/tiny.mk
	@mkdir -p $(dir $@)
	$(CC) $(TINY_LDFLAGS) -o $@ $<

$(B)/tests/vm/hang.vm: tests/vm/tiny.S tests/vm/tiny.mk
	@mkdir -p $(dir $@)
	$(CC) -DTINY_HANG $(TINY_LDFLAGS) -o $@ $<

tests: $(TINY_VMS)
