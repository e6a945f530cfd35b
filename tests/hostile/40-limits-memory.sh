#!/bin/bash
# Attack: a service that writes no memory = touches as much memory as it
# likes. Before the fix, memhog (no memory =) touched all of 768 MiB
# unchecked. Now every exec service without its own memory = gets
# [jitsud] default_memory (256M unless set): the hog is killed by the
# OOM killer at that limit and the service fails, saying so.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
HOG=$T_BUILD/uk/memhog.unix
[ -x "$HOG" ] || { fail build "$HOG missing (make)"; exit 1; }
# log_rate = 0: every line of the hog is logged, so its progress shows.
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
log_rate = 0
[service hog]
dns = hog.example.test
address = 127.77.0.2
image = $HOG
args = limit=768M
ports = tcp:80
CONF
LOG=$T_TMP/log
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
t_in kdig @127.0.0.1 +timeout=2 +retry=0 hog.example.test A >/dev/null
ended() { grep -qE "service hog: running -> (failed|stopped)" "$LOG"; }
wait_for 120 ended
peak=$(grep -oE "hog: memhog: [0-9]+ KiB" "$LOG" | awk '{ print $3 }' | sort -n | tail -n 1)
echo "# the hog touched ${peak:-0} KiB of 786432"
check "the hog was stopped below 768 MiB (${peak:-0} KiB)" test "${peak:-0}" -lt 786432
check "killed by the OOM killer at default_memory (256M)" \
	grep -q "service hog: running -> failed .*OOM killer (memory limit 262144 KiB)" "$LOG"
check "the hog never reached its goal" bash -c "! grep -q 'memhog: reached' '$LOG'"
exit 0
