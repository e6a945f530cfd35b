# uk/uk.mk - rules for the uk library OS and its apps, included by the top
# Makefile (which defines B, CC, ALL_CFLAGS).
#
#   uk/include/uk.h   the API, the only header an app includes
#   uk/lib/           freestanding code shared by every target (formatter,
#                     mem/str helpers); each target compiles it its own way
#   uk/unix/          the unix target: build/uk/APP.unix
#   uk/vm/vm.mk       the vm target (appends to UK_VM_BINS)
#   uk/apps/APP/      one folder per app; every *.c in it is the app

UK_B	 = $(B)/uk
UK_APPS	 = $(foreach d,$(wildcard uk/apps/*),$(if $(wildcard $(d)/*.c),$(notdir $(d))))
UK_LIB_SRCS = $(wildcard uk/lib/*.c)
# An app's sources, for any target: $(call uk_app_srcs,hello)
uk_app_srcs = $(wildcard uk/apps/$(1)/*.c)

# Apps and uk/lib see only the compiler's freestanding headers (stddef,
# stdint, stdbool, stdarg): rule 6 of uk.h is checked by the build, and
# the same objects' sources link into a kernel with no libc.
UK_FREESTANDING_CFLAGS := -ffreestanding -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include)

# ---- unix target -------------------------------------------------------
UK_UNIX_OBJ  = $(UK_B)/unix/obj
UK_UNIX_RT   = $(patsubst %.c,$(UK_UNIX_OBJ)/%.o,$(wildcard uk/unix/*.c))
UK_UNIX_LIB  = $(UK_B)/unix/libuk.a
UK_UNIX_BINS = $(UK_APPS:%=$(UK_B)/%.unix)
# Static: the sandbox gives the process a near-empty mount view, and with
# no dynamic loader a fork+exec+exit is ~0.8 ms instead of ~0.95 ms here.
UK_UNIX_LDFLAGS = -static

$(UK_UNIX_OBJ)/uk/unix/%.o: uk/unix/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(UK_UNIX_OBJ)/uk/lib/%.o: uk/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(UK_FREESTANDING_CFLAGS) -MMD -MP -c -o $@ $<

$(UK_UNIX_OBJ)/uk/apps/%.o: uk/apps/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(UK_FREESTANDING_CFLAGS) -MMD -MP -c -o $@ $<

$(UK_UNIX_LIB): $(patsubst %.c,$(UK_UNIX_OBJ)/%.o,$(UK_LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

define uk_unix_app
$$(UK_B)/$(1).unix: $$(patsubst %.c,$$(UK_UNIX_OBJ)/%.o,$$(call uk_app_srcs,$(1))) \
    $$(UK_UNIX_RT) $$(UK_UNIX_LIB)
	$$(CC) $$(LDFLAGS) $$(EXTRA_LDFLAGS) $$(UK_UNIX_LDFLAGS) -o $$@ $$^
endef
$(foreach a,$(UK_APPS),$(eval $(call uk_unix_app,$(a))))

# ---- vm target: its own file, appending to UK_VM_BINS -------------------
UK_VM_BINS ?=
-include uk/vm/vm.mk

uk: $(UK_UNIX_BINS) $(UK_VM_BINS)

# ---- tests ---------------------------------------------------------------
# The formatter and helpers are tested as the unix target links them, not
# against libjitsu.a (the generic unit-test rule in the top Makefile).
$(B)/tests/test_uklib: $(B)/obj/tests/unit/test_uklib.o $(TLIB_OBJS) $(UK_UNIX_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $^
# hello's parser and responses, as compiled into hello.unix.
UK_HELLO_PURE = $(UK_UNIX_OBJ)/uk/apps/hello/http.o $(UK_UNIX_OBJ)/uk/apps/hello/response.o
$(B)/tests/test_ukhttp: $(B)/obj/tests/unit/test_ukhttp.o $(UK_HELLO_PURE) $(TLIB_OBJS) $(UK_UNIX_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $^

# libFuzzer target for the same code (make fuzz; corpus replayed by run.sh).
build/fuzz/fuzz_ukhttp: tests/fuzz/fuzz_ukhttp.c uk/apps/hello/http.c \
    uk/apps/hello/response.c $(UK_LIB_SRCS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

# Runs a uk app under exactly the allowlist of uk/unix/syscalls.h.
$(B)/tests/helpers/uk_strict_exec: tests/helpers/uk_strict_exec.c uk/unix/syscalls.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $< -lseccomp
unit-tests: $(B)/tests/test_uklib $(B)/tests/test_ukhttp
tests: $(B)/tests/helpers/uk_strict_exec

-include $(shell find $(UK_B) -name '*.d' 2>/dev/null)
