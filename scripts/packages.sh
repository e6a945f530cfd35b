# scripts/packages.sh - the Debian packages jitsu needs, by purpose.
# Sourced by run-example and run-tests.
PKG_BUILD="make gcc libc6-dev libinih-dev libseccomp-dev libmnl-dev libnetfilter-conntrack-dev libvirt-dev pkg-config"
PKG_RUN="iproute2 knot-dnsutils dnsutils curl libnetfilter-conntrack3"
PKG_TEST="clang libclang-rt-14-dev procps iptables qemu-system-x86 nsd dnsperf bubblewrap systemd util-linux python3 man-db libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients python3-prometheus-client iputils-ping dpkg-dev"
# make arm64 and tests/integration/70-arm64-qemu-user.sh; the :arm64 ones
# need `dpkg --add-architecture arm64` (scripts/deps-arm64.sh does it).
PKG_ARM64="gcc-aarch64-linux-gnu libc6-dev-arm64-cross libinih-dev:arm64 libseccomp-dev:arm64 libmnl-dev:arm64 libnetfilter-conntrack-dev:arm64 qemu-user file"
