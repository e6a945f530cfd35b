#!/bin/bash
# The metrics endpoint of a real jitsud: every scrape is parsed by the
# Prometheus Python client's parser (Debian: python3-prometheus-client)
# plus the checks that parser leaves out (HELP and TYPE for every family,
# no repeated family or series, sample syntax, histogram buckets
# cumulative with +Inf = _count). Values are asserted as differences
# between scrapes: DNS queries by type and rcode, starts, stops, failures,
# services by state, the boot histogram, held connections, memory.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
C=$T_BUILD/jitsuctl
SOCK=$T_TMP/jitsud.sock
PY=/usr/bin/python3

if ! $PY -c 'import prometheus_client.parser' 2>/dev/null; then
	fail parser "no Prometheus parser: apt-get install python3-prometheus-client"
	exit 1
fi

conf() {	# conf METRICS-LINE
	cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
backoff = 60s
$1

[service www]
dns = www.example.test
address = 127.77.5.2
image = $T_BUILD/uk/hello.unix
ports = tcp:80
idle = 0

[service deaf]
dns = deaf.example.test
address = 127.77.5.3
image = $T_BUILD/tests/apps/deaf
ports = tcp:80
idle = 0

[service missing]
dns = missing.example.test
address = 127.77.5.4
image = $T_TMP/no-such-image
ports = tcp:80

[service rec]
dns = rec.example.test
address = 127.77.5.5
backend = none
CONF
}

cat >"$T_TMP/check.py" <<'PY'
# check.py FILE: parse a scrape strictly; print one "name{labels} value"
# line per sample (labels sorted), or the problem on stderr and exit 1.
import math, re, sys
from prometheus_client.parser import text_string_to_metric_families

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'^(%s)(\{%s(?:,%s)*\})? (\S+)$' % (NAME, LABEL, LABEL))
HELP = re.compile(r'^# HELP (%s) \S.*$' % NAME)
TYPE = re.compile(r'^# TYPE (%s) (counter|gauge|histogram)$' % NAME)

def die(msg):
    sys.stderr.write(msg + '\n')
    sys.exit(1)

text = open(sys.argv[1]).read()
if not text.endswith('\n'):
    die('no final newline')
helped, typed = set(), {}
for line in text.splitlines():
    m = HELP.match(line)
    if m:
        if m.group(1) in helped:
            die('HELP twice: ' + line)
        helped.add(m.group(1))
        continue
    m = TYPE.match(line)
    if m:
        if m.group(1) in typed or m.group(1) not in helped:
            die('TYPE twice or before HELP: ' + line)
        typed[m.group(1)] = m.group(2)
        continue
    m = SAMPLE.match(line)
    if not m:
        die('not a sample: ' + line)
    float(m.group(3))

try:
    fams = list(text_string_to_metric_families(text))
except ValueError as e:
    die('parser: %s' % e)
seen_fam, seen_series, out = set(), set(), []
for f in fams:
    if f.type == 'untyped' or not f.documentation:
        die('family without TYPE or HELP (or split): ' + f.name)
    if f.name in seen_fam:
        die('family repeated: ' + f.name)
    seen_fam.add(f.name)
    if not f.name.startswith('jitsu_'):
        die('name without the jitsu_ prefix: ' + f.name)
    hist = {}
    for s in f.samples:
        key = s.name + '{' + ','.join('%s="%s"' % kv for kv in
                                      sorted(s.labels.items())) + '}'
        key = key.replace('{}', '')
        if key in seen_series:
            die('series repeated: ' + key)
        seen_series.add(key)
        if not math.isfinite(s.value) or (f.type == 'counter' and s.value < 0):
            die('bad value: %s %s' % (key, s.value))
        out.append('%s %s' % (key, int(s.value) if s.value == int(s.value)
                              else repr(s.value)))
        if f.type == 'histogram':
            ls = tuple(sorted((k, v) for k, v in s.labels.items() if k != 'le'))
            h = hist.setdefault(ls, {'b': []})
            if s.name.endswith('_bucket'):
                h['b'].append((float(s.labels['le']), s.value))
            else:
                h[s.name.rsplit('_', 1)[1]] = s.value
    for ls, h in hist.items():
        b = h['b']
        if not b or b[-1][0] != math.inf or 'count' not in h or 'sum' not in h:
            die('histogram without +Inf, _sum or _count: %s %s' % (f.name, ls))
        if any(b[i][0] >= b[i + 1][0] or b[i][1] > b[i + 1][1]
               for i in range(len(b) - 1)):
            die('histogram buckets not cumulative: %s %s' % (f.name, ls))
        if b[-1][1] != h['count']:
            die('+Inf bucket != _count: %s %s' % (f.name, ls))
print('\n'.join(out))
PY

PORT=9153
# scrape NAME: fetch /metrics into $T_TMP/NAME and check it.
scrape() {
	t_in curl -s -m 5 -D "$T_TMP/$1.hdr" -o "$T_TMP/$1" \
	    "http://127.0.0.1:$PORT/metrics" &&
	    $PY "$T_TMP/check.py" "$T_TMP/$1" >"$T_TMP/$1.flat"
}
# v NAME SERIES: a sample's value in scrape NAME (empty if absent)
v() { awk -v k="$2" '$1 == k {print $2}' "$T_TMP/$1.flat"; }
# d SERIES: its growth from scrape a to scrape b
d() { echo $(( $(v b "$1") - $(v a "$1") )); }
eq() { local n=$1 got=$2 want=$3; if [ "$got" = "$want" ]; then ok "$n"; else fail "$n" "got '$got', want '$want'"; fi; }

conf "metrics = 127.0.0.1:$PORT"
LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 30 t_in curl -sf -m 1 -o /dev/null "http://127.0.0.1:$PORT/metrics" ||
	{ fail start "no metrics endpoint"; cat "$LOG"; exit 1; }
ctl() { "$T_BUILD/jitsuctl" -s "$SOCK" "$@"; }

check "first scrape parses" scrape a
check "content type is text format 0.0.4" \
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$T_TMP/a.hdr"
eq "three services stopped" "$(v a 'jitsu_services{state="stopped"}')" 3
# missing's prepare fails at load: failed from the start.
eq "one failed" "$(v a 'jitsu_services{state="failed"}')" 1
eq "none running" "$(v a 'jitsu_services{state="running"}')" 0
eq "no boot observed yet" "$(v a 'jitsu_service_boot_seconds_count{backend="exec"}')" ""
eq "held connections counted for exec" "$(v a 'jitsu_service_held_connections{service="www"}')" 0
eq "no held count for a DNS record" "$(v a 'jitsu_service_held_connections{service="rec"}')" ""
eq "no memory without an instance" "$(v a 'jitsu_service_memory_bytes{service="www"}')" ""

# 7 UDP queries and 1 TCP: A x5 (www once, an unknown name 3 times, a
# name outside the zone), AAAA x2, SOA x1 over TCP.
q() { t_in kdig @127.0.0.1 +timeout=2 +retry=0 "$@" >/dev/null; }
q www.example.test A
q www.example.test AAAA
q www.example.test AAAA
for i in 1 2 3; do q nosuch.example.test A; done
q outside.invalid A
q +tcp example.test SOA
www_up() { t_in curl -s -m 2 http://127.77.5.2/ | grep -q hello; }
wait_for 30 www_up || fail "www summoned" "no hello"
check "second scrape parses" scrape b
eq "udp queries" "$(d 'jitsu_dns_queries_total{transport="udp"}')" 7
eq "tcp queries" "$(d 'jitsu_dns_queries_total{transport="tcp"}')" 1
eq "A queries" "$(d 'jitsu_dns_queries_by_type_total{type="A"}')" 5
eq "AAAA queries" "$(d 'jitsu_dns_queries_by_type_total{type="AAAA"}')" 2
eq "SOA queries" "$(d 'jitsu_dns_queries_by_type_total{type="SOA"}')" 1
eq "NOERROR responses" "$(d 'jitsu_dns_responses_total{rcode="NOERROR"}')" 4
eq "NXDOMAIN responses" "$(d 'jitsu_dns_responses_total{rcode="NXDOMAIN"}')" 3
eq "REFUSED responses" "$(d 'jitsu_dns_responses_total{rcode="REFUSED"}')" 1
eq "tcp connection accepted" "$(d 'jitsu_dns_tcp_connections_total{result="accepted"}')" 1
eq "www started once" "$(v b 'jitsu_service_starts_total{backend="exec",service="www"}')" 1
eq "one running" "$(v b 'jitsu_services{state="running"}')" 1
eq "two stopped" "$(v b 'jitsu_services{state="stopped"}')" 2
eq "one boot in the exec histogram" "$(v b 'jitsu_service_boot_seconds_count{backend="exec"}')" 1
eq "and in its +Inf bucket" "$(v b 'jitsu_service_boot_seconds_bucket{backend="exec",le="+Inf"}')" 1
m=$(v b 'jitsu_service_memory_bytes{service="www"}')
check "www's cgroup memory reported" test "${m:-0}" -gt 0

# Three connections to deaf: the first wakes it, and since it never
# accepts, all three stay in the held socket's backlog.
t_bg HOLD t_in bash -c 'exec 3<>/dev/tcp/127.77.5.3/80 4<>/dev/tcp/127.77.5.3/80 5<>/dev/tcp/127.77.5.3/80; exec sleep 600'
# The backlog fills whatever deaf's state: wait for it to be running too.
held3() { scrape c && [ "$(v c 'jitsu_service_held_connections{service="deaf"}')" = 3 ] &&
	[ "$(v c 'jitsu_services{state="running"}')" = 2 ]; }
wait_for 30 held3
eq "three connections held for deaf" "$(v c 'jitsu_service_held_connections{service="deaf"}')" 3
eq "deaf started by a connection" "$(v c 'jitsu_service_starts_total{backend="exec",service="deaf"}')" 1
eq "two boots in the histogram" "$(v c 'jitsu_service_boot_seconds_count{backend="exec"}')" 2
eq "two running" "$(v c 'jitsu_services{state="running"}')" 2
kill "$HOLD" 2>/dev/null

# A stop and a failure.
ctl stop www >/dev/null
wait_for 30 bash -c "'$C' -s '$SOCK' status www | grep -q 'state *stopped'"
# missing is failed already (its prepare failed at load): wait for the
# count to move, not for the state.
f0=$(v a 'jitsu_service_failures_total{backend="exec",service="missing"}')
ctl start missing >/dev/null 2>&1
failed_again() { scrape d && [ "$(v d 'jitsu_service_failures_total{backend="exec",service="missing"}')" -gt "$f0" ]; }
wait_for 30 failed_again
check "third scrape parses" scrape d
eq "www stopped once" "$(v d 'jitsu_service_stops_total{backend="exec",service="www"}')" 1
eq "missing's start failed once more" "$(v d 'jitsu_service_failures_total{backend="exec",service="missing"}')" $((f0 + 1))
eq "still one failed" "$(v d 'jitsu_services{state="failed"}')" 1
eq "deaf still running" "$(v d 'jitsu_services{state="running"}')" 1
eq "www no longer reports memory" "$(v d 'jitsu_service_memory_bytes{service="www"}')" ""

# The HTTP side.
st() { t_in curl -s -m 5 -o /dev/null -w '%{http_code}' "$@"; }
eq "other path is 404" "$(st "http://127.0.0.1:$PORT/")" 404
eq "POST is 405" "$(st -X POST "http://127.0.0.1:$PORT/metrics")" 405
check "405 says Allow" bash -c "nsenter --net=/run/netns/$T_NS curl -s -m 5 -D - -o /dev/null -X PUT http://127.0.0.1:$PORT/metrics | grep -qi '^Allow: GET, HEAD'"
eq "query string ignored" "$(st "http://127.0.0.1:$PORT/metrics?x=1")" 200
eq "HEAD is 200" "$(st -I "http://127.0.0.1:$PORT/metrics")" 200
eq "HEAD has no body" "$(t_in curl -s -m 5 -I "http://127.0.0.1:$PORT/metrics" | grep -c '^jitsu_')" 0
# Idle connections do not stop a scrape (they hold a slot each until
# their deadline; the cap is 16).
t_bg IDLE t_in bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT 4<>/dev/tcp/127.0.0.1/$PORT; exec sleep 600"
# both connected (the server's side established) before the scrape
idle2() { [ "$(t_in ss -Htn state established "( sport = :$PORT )" | wc -l)" -ge 2 ]; }
wait_for 30 idle2 || fail "idle clients" "not connected"
check "scrape beside idle clients" scrape e
kill "$IDLE" 2>/dev/null

# Reload: the endpoint moves, the counters stay; then it goes away.
conf "metrics = 127.0.0.1:9154"
kill -HUP "$JPID"
OLD=$PORT PORT=9154
wait_for 30 scrape f || fail "reload moves the endpoint" "nothing on 9154"
eq "old port closed" "$(st "http://127.0.0.1:$OLD/metrics")" 000
eq "counters survive a reload" "$(v f 'jitsu_dns_queries_total{transport="udp"}')" \
	"$(v d 'jitsu_dns_queries_total{transport="udp"}')"
conf ""
kill -HUP "$JPID"
wait_for 30 bash -c "[ \"\$(nsenter --net=/run/netns/$T_NS curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:9154/metrics)\" = 000 ]"
eq "metrics removed: endpoint closed" "$(st "http://127.0.0.1:9154/metrics")" 000
check "jitsud still up" kill -0 "$JPID"
