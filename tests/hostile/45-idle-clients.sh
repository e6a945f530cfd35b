#!/bin/bash
# Attack: hold every slot of jitsud's control socket (32) and metrics
# port (16) with clients that connect and send nothing. Before the fix
# `jitsuctl status` was refused for as long as the holders stayed, and a
# scrape was refused until the holders' 10 s deadline. Now
#  1. a new client evicts the one idle longest: the operator and the
#     scraper are served while the holders stay (idle timeouts are 300 s
#     here, so only the eviction can explain it);
#  2. an idle client is closed after control_idle / metrics_idle.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
H="/usr/bin/python3 $T_ROOT/tests/helpers/hold_clients.py"
C=$T_BUILD/jitsuctl
cat >"$T_TMP/a.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
metrics = 127.0.0.1:9153
control_idle = 300s
metrics_idle = 300s
[service www]
dns = www.example.test
address = 127.77.0.2
CONF
cat >"$T_TMP/b.conf" <<CONF
[jitsud]
control = $T_TMP/b.sock
state = $T_TMP/bstate
run = $T_TMP/brun
cgroup = jitsu-b$$
dns = 127.0.0.1:5300
zone = example.test
metrics = 127.0.0.1:9154
control_idle = 1s
metrics_idle = 1s
[service www]
dns = www.example.test
address = 127.77.0.2
CONF
mkdir -m 0700 "$T_TMP/bstate"; mkdir -m 0711 "$T_TMP/brun"
t_bg J t_in "$T_JITSUD" -c "$T_TMP/a.conf"
t_bg JB t_in "$T_JITSUD" -c "$T_TMP/b.conf"
wait_for 30 "$C" -s "$T_TMP/jitsud.sock" list || { fail start "jitsud a"; exit 1; }
wait_for 30 "$C" -s "$T_TMP/b.sock" list || { fail start "jitsud b"; exit 1; }
scrape() { t_in curl -s -m 10 "http://127.0.0.1:$1/metrics"; }
wait_for 30 scrape 9153 || { fail start "metrics a"; exit 1; }
closed() { local c; c=$(grep closed= "$1" | tail -n 1); echo "${c#closed=}"; }

# 1. Every control slot held, then the operator asks.
t_bg H1 $H unix "$T_TMP/jitsud.sock" 32 >"$T_TMP/h1"
wait_for 60 grep -q open=32 "$T_TMP/h1" || fail setup "32 control holders"
o=$("$C" -s "$T_TMP/jitsud.sock" status www 2>&1)
check "jitsuctl status works while 32 idle clients hold the socket" \
	grep -q "^state  *stopped" <<<"$o"
echo "# jitsuctl: $(head -c 200 <<<"$o" | tr '\n' ' ')"
n=$(closed "$T_TMP/h1")
check "one holder at most was evicted for it (${n:-0})" test "${n:-0}" -le 1

# 1b. Every metrics slot held, then the scraper asks.
t_in $H tcp 127.0.0.1 9153 16 >"$T_TMP/h2" & H2=$!
T_CLEANUP+=("kill $H2 2>/dev/null")
wait_for 60 grep -q open=16 "$T_TMP/h2" || fail setup "16 metrics holders"
o=$(scrape 9153)
check "a scrape works while 16 idle clients hold the port" \
	grep -q "^jitsu_" <<<"$o"

# 2. Idle clients are closed after control_idle / metrics_idle (1 s).
t_bg H3 $H unix "$T_TMP/b.sock" 32 >"$T_TMP/h3"
t_in $H tcp 127.0.0.1 9154 16 >"$T_TMP/h4" & H4=$!
T_CLEANUP+=("kill $H4 2>/dev/null")
wait_for 120 grep -q closed=32 "$T_TMP/h3"
check "idle control clients closed after control_idle ($(closed "$T_TMP/h3") of 32)" \
	grep -q closed=32 "$T_TMP/h3"
wait_for 120 grep -q closed=16 "$T_TMP/h4"
check "idle metrics clients closed after metrics_idle ($(closed "$T_TMP/h4") of 16)" \
	grep -q closed=16 "$T_TMP/h4"
exit 0
