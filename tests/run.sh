#!/bin/bash
# tests/run.sh - run every built test and print "N passed, N failed".
#   unit tests          build/tests/test_*
#   ASan+UBSan          build/asan/tests/test_*
#   fuzz corpora        build/fuzz/fuzz_NAME over tests/fuzz/corpus/NAME/
#   integration         tests/integration/*.sh (root; own netns)
#   hostile             tests/hostile/*.sh: one attack each, which must fail
# A binary or script that dies without reporting counts as a failure.
# Args: optional substrings to select tests by file name.
cd "$(dirname "$0")/.."
pass=0 failn=0 skipn=0
log=$(mktemp /tmp/jitsu-run.XXXXXX)
trap 'rm -f "$log"' EXIT

# selected FILE [WORD...]: true when no WORD was given or FILE contains one
selected() {
	local f=$1; shift
	[ $# -eq 0 ] && return 0
	for s in "$@"; do [[ $f == *"$s"* ]] && return 0; done
	return 1
}

run_one() {	# run_one LABEL CMD...
	local label=$1; shift
	local t0=$SECONDS rc
	"$@" >"$log" 2>&1
	rc=$?
	local p f s
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	s=$(grep -c '^skip ' "$log")
	grep -E '^(FAIL|skip) ' "$log" | sed "s|^|  $label: |"
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "  $label: FAIL exit status $rc without a failed check; last lines:"
		tail -n 15 "$log" | sed 's/^/    /'
		f=1
	fi
	pass=$((pass + p)); failn=$((failn + f)); skipn=$((skipn + s))
	printf '%-48s %3d ok %3d failed %3ds\n' "$label" "$p" "$f" $((SECONDS - t0))
}

for t in build/tests/test_*; do
	[ -x "$t" ] && selected "$t" "$@" && run_one "unit $(basename "$t")" "$t"
done
for t in build/asan/tests/test_*; do
	[ -x "$t" ] && selected "$t" "$@" && run_one "asan $(basename "$t")" "$t"
done
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f"); n=${n#fuzz_}
	d=tests/fuzz/corpus/$n
	[ -d "$d" ] && selected "$f" "$@" || continue
	run_one "fuzz-replay $n" bash -c "'$f' -runs=0 '$d' >/dev/null 2>&1 && echo 'ok replay-$n ($(ls "$d" | wc -l) inputs)'"
done
for t in tests/integration/*.sh tests/hostile/*.sh; do
	[ -f "$t" ] && selected "$t" "$@" && run_one "$(basename "$t" .sh)" bash "$t"
done
echo
echo "$pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ]
