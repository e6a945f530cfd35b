# tests/helpers/sandbox.mk - programs for the sandbox's tests and benchmark
# (included by the top Makefile; the sandbox work owns this file).
#
# tests/helpers/inside/*.c run inside the sandbox: built static, so a root
# holding nothing but the image suffices and the strict filter can apply,
# and also dynamic (NAME_dyn) to test the view of the host's libraries.
# bench/sandbox_spawn measures the cost of each step of a start.
SANDBOX_INSIDE = $(patsubst tests/helpers/inside/%.c,%,$(wildcard tests/helpers/inside/*.c))
SANDBOX_BINS = $(SANDBOX_INSIDE:%=$(B)/tests/helpers/%) \
	       $(SANDBOX_INSIDE:%=$(B)/tests/helpers/%_dyn) \
	       $(patsubst %.c,$(B)/%,$(wildcard bench/sandbox_*.c))

$(B)/tests/helpers/%: tests/helpers/inside/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -static -o $@ $<

$(B)/tests/helpers/%_dyn: tests/helpers/inside/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(B)/bench/sandbox_%: bench/sandbox_%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS)

tests: $(SANDBOX_BINS)
