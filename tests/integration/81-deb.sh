#!/bin/bash
# `make deb` builds a Debian package: jitsud and jitsuctl, the man pages,
# the systemd unit, the demo app and an example configuration; Depends
# names the package of every library the programs link. Installed into a
# scratch root (dpkg-deb -x), its jitsud checks the shipped example.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
make -s -C "$T_ROOT" deb DEBDIR="$T_TMP/deb" >"$T_TMP/make.log" 2>&1
check "make deb succeeded" test $? -eq 0
DEB=$(tail -n 1 "$T_TMP/make.log")
check "it made a .deb ($DEB)" test -s "$DEB"
check "dpkg-deb reads it" dpkg-deb -I "$DEB"
f() { dpkg-deb -f "$DEB" "$1"; }
check "package jitsu" test "$(f Package)" = jitsu
check "for this architecture" test "$(f Architecture)" = "$(dpkg --print-architecture)"
check "a version dpkg accepts" dpkg --validate-version "$(f Version)"

R=$T_TMP/root
dpkg-deb -x "$DEB" "$R"
check "extracted" test -d "$R/usr"
for p in usr/sbin/jitsud usr/sbin/jitsuctl usr/lib/jitsu/hello.unix; do
	check "ships $p, executable" test -x "$R/$p"
done
for p in usr/share/man/man8/jitsud.8.gz usr/share/man/man8/jitsuctl.8.gz \
    usr/share/man/man5/jitsud.conf.5.gz usr/lib/systemd/system/jitsud.service \
    etc/jitsu/jitsud.conf.example; do
	check "ships $p" test -s "$R/$p"
done
check "the example is a conffile" bash -c "dpkg-deb --ctrl-tarfile '$DEB' | tar -xO ./conffiles | grep -qx /etc/jitsu/jitsud.conf.example"
check "the unit starts /usr/sbin/jitsud" grep -q "^ExecStart=/usr/sbin/jitsud -c /etc/jitsu/jitsud.conf" "$R/usr/lib/systemd/system/jitsud.service"
check "the example uses the shipped demo" grep -q "^image = /usr/lib/jitsu/hello.unix" "$R/etc/jitsu/jitsud.conf.example"
check "man page renders" bash -c "MANWIDTH=80 man -l '$R/usr/share/man/man8/jitsud.8.gz' >/dev/null 2>'$T_TMP/man.err' && ! grep -q . '$T_TMP/man.err'"

# Every library the programs need comes from a package in Depends.
deps=$(f Depends)
for b in jitsud jitsuctl; do
	for so in $(objdump -p "$R/usr/sbin/$b" | awk '$1 == "NEEDED" { print $2 }'); do
		lib=$(ldconfig -p | awk -v s="$so" '$1 == s { print $NF; exit }')
		# dpkg knows a library by one of its names (merged /usr)
		pkg=
		for l in "$lib" "$(realpath "$lib")" "$(realpath "$lib" | sed 's|^/usr/|/|')"; do
			pkg=$(dpkg -S "$l" 2>/dev/null | head -n 1 | cut -d: -f1)
			[ -n "$pkg" ] && break
		done
		check "$b needs $so: its package ${pkg:-?} is in Depends" \
		    grep -qE "(^|, )${pkg:-none}( |,|$)" <<<"$deps"
	done
done

o=$("$R/usr/sbin/jitsud" -n -c "$R/etc/jitsu/jitsud.conf.example" 2>&1)
check "the installed jitsud checks the shipped example ($o)" test "$o" = "configuration OK"
check "the installed jitsuctl runs" bash -c "'$R/usr/sbin/jitsuctl' -h | grep -q '^usage: jitsuctl'"
exit 0
