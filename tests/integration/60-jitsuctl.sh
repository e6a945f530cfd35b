#!/bin/bash
# jitsuctl against a real jitsud: list, status, start/stop/suspend/resume,
# reload, JSON output, and clear errors; the control socket admits root
# and its group's members (primary or supplementary), checked with real
# throwaway users.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
C=$T_BUILD/jitsuctl
SOCK=$T_TMP/jitsud.sock

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test

[service www]
dns = www.example.test
address = 127.77.3.1
image = $T_BUILD/uk/hello.unix
ports = tcp:80
idle = 0

[service rec]
dns = rec.example.test
address = 127.77.3.2

[service bad]
dns = bad.example.test
address = 127.77.3.3
image = $T_TMP/not-executable
ports = tcp:80
CONF
echo "not a program" >"$T_TMP/not-executable"
LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 5 test -S "$SOCK" || { fail start "no control socket"; cat "$LOG"; exit 1; }
ctl() { "$C" -s "$SOCK" "$@"; }
field() { ctl status "$1" | awk -v k="$2" '$1 == k {print $2}'; }

o=$(ctl list)
check "list has a header and the services" test "$(wc -l <<<"$o")" -eq 4
check "list shows www stopped" grep -qE '^www +stopped +exec +127.77.3.1' <<<"$o"
check "list shows rec as none" grep -qE '^rec +stopped +none' <<<"$o"

check "start www" ctl start www
check "www running after start" test "$(field www state)" = running
check "pid reported" test "$(field www pid)" -gt 0
check "served" grep -q hello <<<"$(t_in curl -s -m 5 http://127.77.3.1/)"
# start waits for the outcome: a jail that cannot exec ends failed, and
# jitsuctl says so with the reason instead of a bare "starting".
o=$(ctl start bad 2>&1); rc=$?
check "start of a broken service exits 1" test $rc -eq 1
check "says failed with the reason" grep -q "bad: failed: image .* is not executable" <<<"$o"
o=$(ctl -w 0 start bad 2>&1); rc=$?
check "-w 0 returns when taken" test $rc -eq 0
check "-w junk is a usage error" bash -c "'$C' -s '$SOCK' -w soon start www; test \$? -eq 2"
o=$(ctl start www 2>&1); rc=$?
check "start twice refused" test $rc -eq 1
check "says already" grep -q "already" <<<"$o"

check "suspend www" ctl suspend www
check "state suspended" test "$(field www state)" = suspended
check "resume www" ctl resume www
check "state running" test "$(field www state)" = running
check "stop www" ctl stop www
check "state stopped" test "$(field www state)" = stopped
check "phases reported" bash -c "'$C' -s '$SOCK' status www | grep -q phase_started_to_running_ms"
check "unikernel log lines kept" bash -c "'$C' -s '$SOCK' status www | grep -q 'log *uk: ready'"

o=$(ctl -j list)
check "list -j is JSON" /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert [s["name"] for s in d] == ["www","rec","bad"]' <<<"$o"
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
check "bad reload names file and line" grep -q "j.conf:$(wc -l <"$T_TMP/j.conf"): unknown key" <<<"$o"
sed -i '$d' "$T_TMP/j.conf"
check "good reload" ctl reload

# Only root or the socket's group may talk to it (mode 0660). Real users
# in a folder they can reach (T_TMP is 0711, jitsuctl copied there): one
# in the group by a supplementary membership only, one by its primary
# group, one outside it. Names carry the pid: concurrent runs differ.
G=jt$$g UA=jt$$a UB=jt$$b UC=jt$$c
groupadd "$G" || { fail users "groupadd $G"; exit 1; }
T_CLEANUP+=("groupdel $G")
for u in "$UA:-G $G" "$UB:" "$UC:-g $G"; do
	useradd -M -N -d /nonexistent -s /usr/sbin/nologin ${u#*:} "${u%%:*}" ||
		{ fail users "useradd ${u%%:*}"; exit 1; }
	T_CLEANUP+=("userdel ${u%%:*}")
done
chgrp "$G" "$SOCK"
install -m 0755 "$C" "$T_TMP/jitsuctl"
# as USER CMD...: CMD with USER's uid, primary group and the
# supplementary groups /etc/group gives it, as a login would.
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
check "$UA has $G only as a supplementary group" \
	test "$(as "$UA" id -gn)" != "$G" -a -n "$(as "$UA" id -Gn | tr ' ' '\n' | grep -x "$G")"
o=$(as "$UA" "$T_TMP/jitsuctl" -s "$SOCK" list 2>&1); rc=$?
check "a supplementary member is admitted (rc $rc)" test $rc -eq 0
check "and gets the list" grep -qE '^www ' <<<"$o"
o=$(as "$UC" "$T_TMP/jitsuctl" -s "$SOCK" list 2>&1); rc=$?
check "a primary member is admitted (rc $rc)" test $rc -eq 0
n0=$(grep -c "control: connection refused (not root or the socket's group)" "$LOG")
chmod 0666 "$SOCK"	# so only jitsud's own check stands in the way
o=$(as "$UB" "$T_TMP/jitsuctl" -s "$SOCK" list 2>&1); rc=$?
check "a user outside the group is refused (rc $rc)" test $rc -eq 1
check "and gets no list" sh -c '! grep -q "^www " "$1"' _ <(echo "$o")
n1=$(grep -c "control: connection refused (not root or the socket's group)" "$LOG")
check "jitsud logged the refusal" test "$n1" -eq $((n0 + 1))
check "jitsud alive" kill -0 "$JPID"
