# scripts/packages.sh - the Debian packages jitsu needs, by purpose.
# Sourced by run-example and run-tests.
PKG_BUILD="make gcc libc6-dev libinih-dev libseccomp-dev libmnl-dev pkg-config"
PKG_RUN="iproute2 knot-dnsutils dnsutils curl"
PKG_TEST="clang libclang-rt-14-dev procps iptables qemu-system-x86 nsd dnsperf bubblewrap systemd util-linux python3"
