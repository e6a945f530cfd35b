#!/bin/bash
# scripts/deps-arm64.sh - the arm64 cross toolchain for `make arm64`:
# Debian's aarch64-linux-gnu-gcc, the :arm64 multiarch -dev packages
# jitsud links with, and qemu-user to run the result. Adds arm64 as a
# foreign dpkg architecture first; the apt-get update that deps.sh runs
# when packages are missing then fetches the arm64 lists (~9 MB, once).
# Idempotent: does nothing and needs no network when all are present.
set -e
cd "$(dirname "$0")/.."
. scripts/packages.sh
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	if [ "$(id -u)" != 0 ]; then
		echo "dpkg has no arm64 architecture (run as root to add it)" >&2
		exit 1
	fi
	dpkg --add-architecture arm64
fi
exec bash scripts/deps.sh $PKG_ARM64
