#!/bin/bash
# jitsuctl against a real jitsud: list, status, start/stop/suspend/resume,
# reload, JSON output, and clear errors.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
J=$T_BUILD/jitsud
C=$T_BUILD/jitsuctl
SOCK=$T_TMP/ctl.sock

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
dns = 127.0.0.1:53
zone = example.test
control = $SOCK

[service www]
dns = www.example.test
address = 127.77.3.1
image = $T_BUILD/uk/hello.unix
ports = tcp:80
idle = 0

[service rec]
dns = rec.example.test
address = 127.77.3.2
CONF
LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 5 test -S "$SOCK" || { fail start "no control socket"; cat "$LOG"; exit 1; }
ctl() { "$C" -s "$SOCK" "$@"; }
field() { ctl status "$1" | awk -v k="$2" '$1 == k {print $2}'; }

o=$(ctl list)
check "list has a header and both services" test "$(wc -l <<<"$o")" -eq 3
check "list shows www stopped" grep -qE '^www +stopped +exec +127.77.3.1' <<<"$o"
check "list shows rec as none" grep -qE '^rec +stopped +none' <<<"$o"

check "start www" ctl start www
check "www running after start" test "$(field www state)" = running
check "pid reported" test "$(field www pid)" -gt 0
check "served" grep -q hello <<<"$(t_in curl -s -m 5 http://127.77.3.1/)"
o=$(ctl start www 2>&1); rc=$?
check "start twice refused" test $rc -eq 1
check "says already" grep -q "already" <<<"$o"

check "suspend www" ctl suspend www
check "state suspended" test "$(field www state)" = suspended
check "resume www" ctl resume www
check "state running" test "$(field www state)" = running
check "stop www" ctl stop www
wait_for 3 bash -c "'$C' -s '$SOCK' status www | grep -q 'state *stopped'"
check "state stopped" test "$(field www state)" = stopped
check "phases reported" bash -c "'$C' -s '$SOCK' status www | grep -q phase_started_to_running_ms"
check "unikernel log lines kept" bash -c "'$C' -s '$SOCK' status www | grep -q 'log *uk: ready'"

o=$(ctl -j list)
check "list -j is JSON" /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert [s["name"] for s in d] == ["www","rec"]' <<<"$o"
o=$(ctl -j status www)
check "status -j is JSON with arrays" /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["state"]=="stopped" and d["dns"]==["www.example.test"] and isinstance(d["log"], list)' <<<"$o"

o=$(ctl status nope 2>&1); rc=$?
check "unknown name exit 1" test $rc -eq 1
check "unknown name message" grep -q 'no service named "nope"' <<<"$o"
o=$(ctl frobnicate 2>&1); rc=$?
check "unknown command exit 2" test $rc -eq 2
o=$("$C" -s "$T_TMP/absent.sock" list 2>&1); rc=$?
check "no daemon exit 1" test $rc -eq 1
check "no daemon message" grep -q "is jitsud running" <<<"$o"

echo "bogus = 1" >>"$T_TMP/j.conf"
o=$(ctl reload 2>&1); rc=$?
check "bad reload refused" test $rc -eq 1
check "bad reload names file and line" grep -q "j.conf:16: unknown key" <<<"$o"
sed -i '$d' "$T_TMP/j.conf"
check "good reload" ctl reload

# Only root or the socket's group may talk to it.
o=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$C" -s "$SOCK" list 2>&1); rc=$?
check "other users refused" test $rc -eq 1
check "jitsud alive" kill -0 "$JPID"
