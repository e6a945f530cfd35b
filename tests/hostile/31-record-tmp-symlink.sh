#!/bin/bash
# Attack: a symlink planted at STATE/<svc>.instance.tmp, pointing at a
# root-owned file. Before the fix jitsud opened the temporary name with
# O_TRUNC, following the link: the file was overwritten with the record
# (and the link renamed into place as the record). Now records are
# written through the folder's fd to a fresh file (O_EXCL | O_NOFOLLOW)
# that is renamed into place: the link is removed, the file untouched.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service www]
dns = www.example.test
address = 127.77.31.1
image = $T_BUILD/uk/hello.unix
ports = tcp:80
idle = 0
CONF
LOG=$T_TMP/log
echo precious >"$T_TMP/victim"
chmod 0644 "$T_TMP/victim"
ln -s "$T_TMP/victim" "$T_TMP/state/www.instance.tmp"

t_bg J t_in "$T_JITSUD" -d -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 20 test -S "$T_TMP/jitsud.sock" || fail setup "jitsud did not start"
# Summoned: the record is written when the instance is up.
check "the service answers" grep -q hello <<<"$(t_in curl -s -m 20 http://127.77.31.1/)"
rec=$T_TMP/state/www.instance
wait_for 20 grep -q '^pid=' "$rec"
check "the root-owned file the link points at is untouched" \
    test "$(cat "$T_TMP/victim")" = precious
check "the record is a regular file, not the planted link" \
    test -f "$rec" -a ! -L "$rec"
check "the record holds the instance" grep -q '^pid=[0-9]' "$rec"
check "no temporary is left behind" test ! -e "$rec.tmp" -a ! -L "$rec.tmp"
[ "$T_FAILS" -gt 0 ] && { echo "# victim now: $(head -c 200 "$T_TMP/victim" | tr '\n' ' ')"; sed 's/^/  log: /' "$LOG" | tail -n 20; }
true
