#!/bin/bash
# Micro-benchmark of dns_query() alone (no sockets): ns per query.
# Usage: bench/dns_query_micro.sh [iterations]
set -e
cd "$(dirname "$0")/.."
mkdir -p build/bench
${CC:-cc} -std=gnu11 -O2 -D_GNU_SOURCE -I. -o build/bench/dns_query_micro \
    bench/dns_query_micro.c dns/wire.c dns/db.c dns/edns.c dns/query.c
exec build/bench/dns_query_micro "$@"
