#!/bin/bash
# Attack: the state folder (records jitsud trusts), the control socket's
# folder or the run folder is writable by a non-root user. Before the
# fix jitsud accepted any of them (the bundled example put state under
# the checkout, build/run/state), and from there a user could forge
# records (see 30-32). Now each is refused at load with FILE:LINE,
# whether it is writable by group or others or owned by another user;
# sticky /tmp above a root-owned 0711 folder is fine (every test's
# t_private folder is one).
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
good() {
	cat <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
CONF
}
good >"$T_TMP/good.conf"
o=$("$T_JITSUD" -n -c "$T_TMP/good.conf" 2>&1)
check "root-owned 0700/0711 folders under sticky /tmp are accepted" \
    grep -q "configuration OK" <<<"$o"

# refused KEY DIR: a config whose KEY names DIR (control: a socket in
# DIR) is refused by -n and by a real start, with FILE:LINE and the key.
refused() {
	local key=$1 dir=$2 what=$3 val=$2 conf=$T_TMP/bad-$RANDOM.conf line o rc
	[ "$key" = control ] && val=$dir/jitsud.sock
	good | sed "s|^$key = .*|$key = $val|" >"$conf"
	line=$(grep -n "^$key = " "$conf" | cut -d: -f1)
	o=$("$T_JITSUD" -n -c "$conf" 2>&1); rc=$?
	check "$what: refused by -n" test "$rc" -ne 0
	check "$what: FILE:LINE names the key" \
	    grep -q "^$conf:$line: $key: .*refused" <<<"$o"
	# a real start stops at the same check (the timeout is a safety
	# net for the old code, which would run)
	o=$(timeout 60 "$T_JITSUD" -d -c "$conf" 2>&1); rc=$?
	check "$what: jitsud does not start" test "$rc" -ne 0 -a "$rc" -ne 124
	echo "# $what: $(grep -m1 "$key:" <<<"$o")"
}
mkdir -m 0700 "$T_TMP/s1"; chmod 0777 "$T_TMP/s1"
refused state "$T_TMP/s1" "state folder writable by everyone"
mkdir -m 0770 "$T_TMP/s2"; chmod 0770 "$T_TMP/s2"
refused state "$T_TMP/s2" "state folder writable by its group"
mkdir -m 0700 "$T_TMP/s3"; chown 65534 "$T_TMP/s3"
refused state "$T_TMP/s3" "state folder owned by another user"
mkdir -m 0755 "$T_TMP/u"; chown 65534 "$T_TMP/u"; mkdir -m 0700 "$T_TMP/u/state"
refused state "$T_TMP/u/state" "state folder inside a user's folder"
mkdir -m 0700 "$T_TMP/c1"; chmod 0777 "$T_TMP/c1"
refused control "$T_TMP/c1" "control socket folder writable by everyone"
mkdir -m 0711 "$T_TMP/r1"; chmod 0777 "$T_TMP/r1"
refused run "$T_TMP/r1" "run folder writable by everyone"
mkdir -p -m 0711 "$T_TMP/r2/sandbox"; chmod 0777 "$T_TMP/r2/sandbox"
refused run "$T_TMP/r2" "run folder's sandbox folder writable by everyone"
# A symlink to a good folder from a folder a user controls is refused.
ln -s "$T_TMP/state" "$T_TMP/u/link"
refused state "$T_TMP/u/link" "state folder reached through a user's symlink"
true
