# tests/helpers/sandbox_lib.sh - shared by tests/integration/1x-sandbox-*.sh
# (source after tests/lib/lib.sh). Drives build/tests/helpers/sandbox_run.
#
# Commands run in the test's network namespace through nsenter --net, not
# t_in: `ip netns exec` mounts a fresh /sys, which hides /sys/fs/cgroup.

SBX_RUN=$T_BUILD/tests/helpers/sandbox_run
SBX_PROBE=$T_BUILD/tests/helpers/sandbox_probe
SBX_PROBE_DYN=$T_BUILD/tests/helpers/sandbox_probe_dyn
SBX_N=0

# sbx_setup: a netns, a scratch folder the sandbox uid can search, and a
# cgroup group of our own (removed at exit even if a driver was killed).
sbx_setup() {
	[ "$(id -u)" = 0 ] || { skip sandbox "needs root"; exit 0; }
	[ -x "$SBX_RUN" ] && [ -x "$SBX_PROBE" ] ||
		{ echo "FAIL setup: build the sandbox helpers (make)"; exit 1; }
	t_tmpdir
	chmod 755 "$T_TMP"
	t_netns
	SBX_GROUP=jitsu-test-$$
	SBX_ROOTS=$T_TMP/roots
	SBX_UID=$((200000 + $$ % 50000))
	T_CLEANUP+=("sbx_cgroups_rm")
}

t_net() { nsenter --net=/run/netns/"$T_NS" "$@"; }

# sbx [OPTIONS] -- IMAGE [ARGS]: runs to the end. The driver's lines land
# in $SBX_OUT, the child's stdout and stderr in the file $SBX_LOG, the
# driver's exit status in $SBX_RC.
sbx() {
	SBX_N=$((SBX_N + 1))
	SBX_LOG=$T_TMP/child.$SBX_N.log
	SBX_OUT=$(t_net timeout 60 "$SBX_RUN" -g "$SBX_GROUP" -r "$SBX_ROOTS" \
	    -u "$SBX_UID" -o "$SBX_LOG" "$@" 2>&1)
	SBX_RC=$?
}

# sbx_bg [OPTIONS] -- IMAGE [ARGS]: starts in the background; the driver's
# lines go to the file $SBX_OUTF; waits for "exec ok" and sets SBX_PID.
sbx_bg() {
	SBX_N=$((SBX_N + 1))
	SBX_LOG=$T_TMP/child.$SBX_N.log
	SBX_OUTF=$T_TMP/driver.$SBX_N.out
	t_bg SBX_DRIVER nsenter --net=/run/netns/"$T_NS" "$SBX_RUN" -t 60 -g "$SBX_GROUP" \
	    -r "$SBX_ROOTS" -u "$SBX_UID" -o "$SBX_LOG" "$@" >"$SBX_OUTF" 2>&1
	wait_for 60 grep -q '^exec ok' "$SBX_OUTF" || return 1
	SBX_PID=$(awk '$1 == "pid" { print $2 }' "$SBX_OUTF")
}

# sbx_cgroup CTRL: the service's cgroup folder for CTRL, from the driver.
sbx_cgroup() { awk -v c="$1" '$1 == "cgroup" && $2 == c { print $3 }' "${2:-$SBX_OUTF}"; }

out_has() { grep -qxF -- "$1" <<<"$SBX_OUT"; }
log_has() { grep -qxF -- "$1" "$SBX_LOG"; }
# the value of KEY= in the child's log
log_get() { sed -n "s/^$1=//p" "$SBX_LOG" | head -1; }

# sbx_cgroups_rm: removes what a killed driver left of our group.
sbx_cgroups_rm() {
	local g
	for g in $(find /sys/fs/cgroup -maxdepth 6 -type d -name "$SBX_GROUP" 2>/dev/null); do
		rmdir "$g"/*/ "$g" 2>/dev/null
	done
	return 0
}

# sbx_cgroups_gone: no folder of our group is left in any hierarchy.
sbx_cgroups_gone() {
	[ -z "$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$SBX_GROUP" 2>/dev/null)" ]
}

# sbx_interactive [OPTIONS] -- IMAGE [ARGS]: starts the driver reading
# commands (freeze, frozen, thaw, kill SIG, mem) from sbx_ask; its lines
# are copied to $SBX_OUTF as they are read. Set SBX_LOG first.
sbx_interactive() {
	SBX_OUTF=$T_TMP/driver.interactive
	: >"$SBX_OUTF"
	coproc SBXI { exec nsenter --net=/run/netns/"$T_NS" "$SBX_RUN" -i \
	    -t 60 -g "$SBX_GROUP" -r "$SBX_ROOTS" -u "$SBX_UID" \
	    -o "$SBX_LOG" "$@"; }
	T_CLEANUP+=("kill $SBXI_PID 2>/dev/null; wait $SBXI_PID 2>/dev/null")
}
# sbx_ask CMD: sends a command, prints its answer line
sbx_ask() {
	local line
	echo "$1" >&"${SBXI[1]}"
	while read -r -t 60 line <&"${SBXI[0]}"; do
		echo "$line" >>"$SBX_OUTF"
		case $line in pid*|cgroup*|exec*) continue;; esac
		echo "$line"
		return 0
	done
	return 1
}
# sbx_await PATTERN: reads the driver's lines until one matches
sbx_await() {
	local line
	while read -r -t 60 line <&"${SBXI[0]}"; do
		echo "$line" >>"$SBX_OUTF"
		[[ $line == $1 ]] && return 0
	done
	return 1
}
# sbx_quit: ends the interactive driver (it kills and reaps the child)
sbx_quit() { echo quit >&"${SBXI[1]}"; wait "$SBXI_PID" 2>/dev/null; }

ticks() { grep -c '^tick' "$SBX_LOG"; }
# frozen_state: FROZEN or THAWED, from v1 freezer.state or v2 cgroup.events
frozen_state() {
	local f
	f=$(sbx_cgroup freezer)
	if [ -f "$f/freezer.state" ]; then cat "$f/freezer.state"
	else sed -n 's/^frozen 1$/FROZEN/p; s/^frozen 0$/THAWED/p' "$f/cgroup.events"; fi
}
# sbx_freeze: freezes through the driver and waits until it reports done
sbx_freeze() {
	local a end=$((SECONDS + 60))
	a=$(sbx_ask freeze)
	while [ $SECONDS -lt $end ]; do
		[ "$a" = frozen ] || [ "$a" = "frozen 1" ] && return 0
		sleep 0.02
		a=$(sbx_ask frozen)
	done
	return 1
}
# ticks_above N: the tick probe has logged more than N ticks (re-read on
# every call, so it can be polled with wait_for)
ticks_above() { [ "$(ticks)" -gt "$1" ]; }
