# bench/bench.mk - measuring tools of the benchmarks (included by the top
# Makefile): each bench/tools/NAME.c is one small standalone program,
# built into build/bench/NAME. They time things from the client's side,
# so they link nothing of jitsud's.
BENCH_TOOLS = $(patsubst bench/tools/%.c,$(B)/bench/%,$(wildcard bench/tools/*.c))

$(B)/bench/%: bench/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $<

.PHONY: bench
bench: $(BENCH_TOOLS)
tests: $(BENCH_TOOLS)
