#!/bin/bash
# scripts/mkdeb.sh B OUTDIR - build a Debian package of jitsu from the
# programs already built in B (make deb does both): jitsud and jitsuctl
# in /usr/sbin, the man pages, the systemd unit, the uk demo app
# /usr/lib/jitsu/hello.unix and an example configuration
# /etc/jitsu/jitsud.conf.example that uses it. Depends is what the
# binaries link (dpkg-shlibdeps, from dpkg-dev). Prints the .deb's path.
set -e
cd "$(dirname "$0")/.."
B=${1:-build}
out=$(realpath -m "${2:-$B/deb}")
stage=$out/root
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"

# The same files `make install` puts in place, for /usr.
make -s B="$B" install DESTDIR="$stage" PREFIX=/usr \
    UNITDIR=/usr/lib/systemd/system >/dev/null
gzip -9n "$stage"/usr/share/man/man*/*
install -D -m 0755 "$B/uk/hello.unix" "$stage/usr/lib/jitsu/hello.unix"
# The bundled example, pointed at the installed demo and at the default
# (/run/jitsu) control socket and state folder.
install -d "$stage/etc/jitsu"
sed -e 's|build/uk/hello.unix|/usr/lib/jitsu/hello.unix|' \
    -e 's|^control = .*|control = /run/jitsu/jitsud.sock|' \
    -e 's|^state = .*|state = /run/jitsu/state|' \
    -e '1s|examples/jitsud.conf|/etc/jitsu/jitsud.conf.example|' \
    -e 's|build/jitsud -d -c examples/jitsud.conf|jitsud -d -c /etc/jitsu/jitsud.conf|' \
    examples/jitsud.conf >"$stage/etc/jitsu/jitsud.conf.example"
install -D -m 0644 README.md "$stage/usr/share/doc/jitsu/README.md"
echo /etc/jitsu/jitsud.conf.example >"$stage/DEBIAN/conffiles"

arch=$(dpkg --print-architecture)
# 0.1~gitYYYYMMDD.HASH: grows with each commit's date, names the commit.
ver="0.1~git$(git log -1 --format=%cd --date=format:%Y%m%d 2>/dev/null || date +%Y%m%d)"
ver="$ver.$(git rev-parse --short HEAD 2>/dev/null || echo local)"
# dpkg-shlibdeps wants a debian/control beside it; a scratch one.
mkdir -p "$out/src/debian"
printf 'Source: jitsu\n\nPackage: jitsu\nArchitecture: any\n' >"$out/src/debian/control"
deps=$(cd "$out/src" && dpkg-shlibdeps -O \
    "$stage/usr/sbin/jitsud" "$stage/usr/sbin/jitsuctl" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')
[ -n "$deps" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
cat >"$stage/DEBIAN/control" <<CONTROL
Package: jitsu
Version: $ver
Architecture: $arch
Maintainer: jitsu developers <root@localhost>
Section: net
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $deps
Suggests: qemu-system-x86, libvirt0, knot-dnsutils
Description: summon unikernels just in time
 jitsud is the authoritative DNS server for many small network services
 and starts the unikernel behind a name (a sandboxed process or a QEMU
 microVM) on the first query or connection, holding that connection
 until it is ready; idle services are stopped again. jitsuctl talks to
 it over its control socket.
CONTROL
deb=$out/jitsu_${ver}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
