#!/bin/bash
# Bad configs give FILE:LINE errors from `jitsud -n` (and jitsud refuses
# to start with the same messages); bad packets never stop jitsud
# answering.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
J=$T_JITSUD

o=$("$J" -n -c "$T_ROOT/examples/jitsud.conf" 2>&1); rc=$?
check "example config OK" test "$rc" -eq 0 -a "$o" = "configuration OK"

cat >"$T_TMP/bad.conf" <<CONF
[jitsud]
zone = example.test
dns = 127.0.0.1:99999
[service www]
dns = www.elsewhere.test
address = not-an-ip
idle = soon
memory = lots
colour = blue
CONF
o=$("$J" -n -c "$T_TMP/bad.conf" 2>&1); rc=$?
check "bad config exit 1" test "$rc" -eq 1
check "bad port line" grep -q "^$T_TMP/bad.conf:3: bad port" <<<"$o"
check "outside zone line" grep -q "^$T_TMP/bad.conf:5: service www: dns name \"www.elsewhere.test\" is outside every zone" <<<"$o"
check "bad address line" grep -q "^$T_TMP/bad.conf:6: bad address" <<<"$o"
check "bad duration line" grep -q "^$T_TMP/bad.conf:7: bad duration" <<<"$o"
check "bad size line" grep -q "^$T_TMP/bad.conf:8: bad size" <<<"$o"
check "unknown key line" grep -q "^$T_TMP/bad.conf:9: unknown key \"colour\"" <<<"$o"
o2=$(t_in "$J" -c "$T_TMP/bad.conf" 2>&1); rc=$?
check "jitsud refuses bad config" test "$rc" -eq 1
check "same messages when starting" test "$o" = "$o2"
o=$("$J" -n -c "$T_TMP/missing.conf" 2>&1); rc=$?
check "missing file" test "$rc" -eq 1 -a "$o" = "$T_TMP/missing.conf: No such file or directory"
o=$("$J" -n "name=a,dns=a.nozone,address=1.2.3.4" 2>&1)
check "SPEC error names the argument" grep -q "^argument 1: service a: dns name \"a.nozone\" is outside every zone" <<<"$o"

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service www]
dns = www.example.test
address = 127.77.0.2
CONF
t_bg JPID t_in "$J" -c "$T_TMP/j.conf"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
o=$(t_in "$T_BUILD/tests/helpers/dnsjunk" 127.0.0.1 53 www.example.test 2>&1)
check "still answering after junk ($o)" test $? -eq 0
check "jitsud survived junk" kill -0 "$JPID"
o=$(t_in kdig @127.0.0.1 +timeout=2 +retry=0 +tcp www.example.test A 2>&1)
check "TCP still answers" grep -q "127.77.0.2" <<<"$o"
