#!/bin/bash
# `make install` honours PREFIX and DESTDIR and installs the programs, the
# man pages and the systemd unit; the installed jitsud works.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
D=$T_TMP/root
make -s -C "$T_ROOT" install DESTDIR="$D" PREFIX=/opt/jitsu >"$T_TMP/make.log" 2>&1
check "make install succeeded" test $? -eq 0
for f in sbin/jitsud sbin/jitsuctl share/man/man8/jitsud.8 share/man/man8/jitsuctl.8 \
    share/man/man5/jitsud.conf.5 lib/systemd/system/jitsud.service; do
	check "installed $f" test -s "$D/opt/jitsu/$f"
done
check "unit points at the installed jitsud" grep -q "^ExecStart=/opt/jitsu/sbin/jitsud -c" "$D/opt/jitsu/lib/systemd/system/jitsud.service"
o=$("$D/opt/jitsu/sbin/jitsud" -n -c "$T_ROOT/examples/jitsud.conf" 2>&1)
check "installed jitsud checks a config" test "$o" = "configuration OK"
for m in "$D"/opt/jitsu/share/man/man*/*; do
	check "man page $(basename "$m") renders cleanly" bash -c "MANWIDTH=80 man -l '$m' 2>&1 >/dev/null | grep -q . && exit 1 || exit 0"
done
check "jitsud --help" bash -c "'$D/opt/jitsu/sbin/jitsud' --help | grep -q '^usage: jitsud'"
check "jitsuctl -h" bash -c "'$D/opt/jitsu/sbin/jitsuctl' -h | grep -q '^usage: jitsuctl'"
