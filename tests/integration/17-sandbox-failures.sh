#!/bin/bash
# Failures get a clear reason: a jail step that fails after the spawn
# (here: the image vanished after prepare) is named with its errno, a
# crash is a signal, and bad specs are refused at prepare with a message.
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup

img=$T_TMP/img/probe
mkdir -p "$T_TMP/img" && chmod 755 "$T_TMP/img" && cp "$SBX_PROBE" "$img"
sbx_bg_prepared() {
	SBX_N=$((SBX_N + 1))
	SBX_LOG=$T_TMP/child.$SBX_N.log
	SBX_OUTF=$T_TMP/driver.$SBX_N.out
	t_bg SBX_DRIVER nsenter --net=/run/netns/"$T_NS" "$SBX_RUN" -t 30 \
	    -g "$SBX_GROUP" -r "$SBX_ROOTS" -u "$SBX_UID" -o "$SBX_LOG" \
	    -w "$T_TMP/go" "$@" >"$SBX_OUTF" 2>&1
	wait_for 60 grep -qx prepared "$SBX_OUTF"
}
sbx_bg_prepared -n gone -- "$img" id
rm -f "$img"; touch "$T_TMP/go"
wait "$SBX_DRIVER" 2>/dev/null
check jail-failure-named grep -qx "exec failed: gone: sandbox set-up failed at bind image and devices: No such file or directory" "$SBX_OUTF"
check jail-failure-exit grep -qx "exit jail 127: sandbox set-up failed at bind image and devices: No such file or directory" "$SBX_OUTF"
check jail-failure-ran-nothing test ! -s "$SBX_LOG"

sbx -n crash -- "$SBX_PROBE" say hi crash
check crash-is-a-signal out_has "exit signaled 11: killed by signal 11 (SEGV)"

cp "$SBX_PROBE" "$img" && chmod 750 "$img"
sbx -n noexec -- "$img" id
check image-not-executable grep -q "^error: image $img (mode 0750) is not executable by the sandbox uid" <<<"$SBX_OUT"
chmod 755 "$img"; chmod 700 "$T_TMP/img"
sbx -n hidden -- "$img" id
check image-folder-not-searchable grep -q "^error: $T_TMP/img (mode 0700) is not searchable by the sandbox uid" <<<"$SBX_OUT"
sbx -n missing -- "$T_TMP/nope" id
check image-missing grep -q "^error: image $T_TMP/nope: No such file or directory" <<<"$SBX_OUT"
SBX_OUT=$(t_net "$SBX_RUN" -g "$SBX_GROUP" -r "$SBX_ROOTS" -n ../x -- "$SBX_PROBE" id 2>&1)
check bad-name-refused grep -q '^error: service name "../x"' <<<"$SBX_OUT"
check nothing-left-in-rundir test -z "$(ls -A "$SBX_ROOTS")"
check cgroups-removed sbx_cgroups_gone
exit 0
