#!/bin/bash
# tests/run.sh itself, on a throwaway tree of fake tests (T_RUN_ROOT):
# a failure shows the test's log tail, a test past its timeout is stopped
# (and its EXIT trap runs), an unknown selection or an empty tree is an
# error and never "0 passed", a crashing fuzz replay shows the crash, a
# sanitizer report from a background process fails the test, and a test
# that touches the guarded host paths fails.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
R=$T_TMP/tree
mkdir -p "$R/build/tests" "$R/build/fuzz" "$R/tests/integration" \
    "$R/tests/fuzz/corpus/boom" "$T_TMP/gstate"
export T_GUARD=1 T_GUARD_STATE=$T_TMP/gstate T_GUARD_SOCK=$T_TMP/gsock
: >"$T_GUARD_SOCK"

# run WORD...: tests/run.sh on the fake tree; output in $T_TMP/out, status in $RC
run() {
	T_RUN_ROOT=$R timeout 120 bash "$T_ROOT/tests/run.sh" "$@" >"$T_TMP/out" 2>&1
	RC=$?
}
has() { grep -qF -- "$1" "$T_TMP/out"; }
hasnt() { ! grep -qF -- "$1" "$T_TMP/out"; }

script() {	# script NAME BODY: a fake integration test
	printf '#!/bin/bash\n%s\n' "$2" >"$R/tests/integration/$1.sh"
}
script 01-passes 'echo "ok fine"'
script 02-fails 'echo "line-before-the-failure"; echo "FAIL broken: on purpose"'
script 03-silent-exit 'echo "silent-exit-marker"; exit 3'
script 04-hangs "# timeout: 2
trap 'touch $T_TMP/cleaned' EXIT
echo 'ok started'; sleep 300"
script 05-touches-state "mktemp $T_GUARD_STATE/record.XXXXXX; echo 'ok wrote'"
script 06-replaces-socket "rm -f $T_GUARD_SOCK; : >$T_GUARD_SOCK; echo 'ok replaced'"
script 07-asan-daemon "$T_TMP/bad &
wait \$!; echo 'ok the test itself saw nothing'"

# A real ASan+UBSan program: a heap overflow in a "daemon" the test runs
# in the background and whose status it ignores; and a real libFuzzer
# target that crashes on the input "boom".
cat >"$T_TMP/bad.c" <<'C'
#include <stdlib.h>
int main(void) { volatile char *p = malloc(4); p[4] = 1; free((void *)p); return 0; }
C
cat >"$T_TMP/fuzz_boom.c" <<'C'
#include <stddef.h>
#include <stdint.h>
#include <string.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
	char b[4];
	if (n >= 4 && memcmp(d, "boom", 4) == 0)
		memcpy(b, d, n);	/* overflows the stack buffer */
	return b[0] == 1;
}
C
clang -g -fsanitize=address,undefined -o "$T_TMP/bad" "$T_TMP/bad.c" ||
	{ fail setup "clang -fsanitize=address"; exit 1; }
clang -g -fsanitize=fuzzer,address -o "$R/build/fuzz/fuzz_boom" "$T_TMP/fuzz_boom.c" ||
	{ fail setup "clang -fsanitize=fuzzer"; exit 1; }
echo "hello" >"$R/tests/fuzz/corpus/boom/a"
echo "boom-and-more" >"$R/tests/fuzz/corpus/boom/b"

run 01-passes
check "a passing test passes (rc $RC)" test "$RC" -eq 0
check "and is counted" has "1 passed, 0 failed"

run 02-fails
check "a failing check fails the run (rc $RC)" test "$RC" -eq 1
check "a failure shows the log's tail" has "line-before-the-failure"
check "and keeps the whole log" test -s "$R/build/test-logs/02-fails.log"

run 03-silent
check "a silent non-zero exit fails (rc $RC)" test "$RC" -eq 1
check "says the exit status" has "exit status 3 without a failed check"
check "and shows the tail" has "silent-exit-marker"

run 04-hangs
check "a test past its timeout fails (rc $RC)" test "$RC" -eq 1
check "says it timed out after its own timeout line" has "timed out after 2 s"
check "its EXIT trap ran (cleanup)" test -e "$T_TMP/cleaned"

run nosuch-test
check "an unknown selection exits 2 (rc $RC)" test "$RC" -eq 2
check "and reports no count" hasnt "0 passed"
check "but the usage" has "usage: tests/run.sh"
run 01-passes nosuch-test
check "one unknown word among known ones exits 2 (rc $RC)" test "$RC" -eq 2
run --help
check "--help reports no count" hasnt "passed"
check "--help prints the usage" has "usage: tests/run.sh"
run --frobnicate
check "an unknown option exits 2 (rc $RC)" test "$RC" -eq 2
mv "$R" "$T_TMP/away"; mkdir -p "$R"
run
check "nothing to run exits 2 (rc $RC)" test "$RC" -eq 2
check "and reports no count" hasnt "0 passed"
rm -rf "$R"; mv "$T_TMP/away" "$R"

run fuzz-replay
check "a crashing corpus replay fails (rc $RC)" test "$RC" -eq 1
check "and shows the crash" has "ERROR: AddressSanitizer: stack-buffer-overflow"
check "no crash file left in the tree" test -z "$(ls "$R" | grep -v -e build -e tests)"

run 07-asan
check "a sanitizer report of a background process fails (rc $RC)" test "$RC" -eq 1
check "says so" has "sanitizer report"
check "and shows the report" has "ERROR: AddressSanitizer: heap-buffer-overflow"

run 05-touches
check "a file made in the state folder fails the run (rc $RC)" test "$RC" -eq 1
check "says which paths" has "the host's $T_GUARD_STATE"
run 06-replaces
check "a replaced control socket fails the run (rc $RC)" test "$RC" -eq 1
T_GUARD= run 05-touches
check "a selection only warns of it (rc $RC)" test "$RC" -eq 0
check "with a warning" has "warning: the host's"
T_GUARD= run
check "the whole suite fails on it (rc $RC)" test "$RC" -eq 1
run 01-passes
check "an untouched host passes (rc $RC)" test "$RC" -eq 0
exit 0
