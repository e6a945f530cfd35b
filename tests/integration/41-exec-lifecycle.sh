#!/bin/bash
# Lifecycle details of exec services: a long download is not cut by
# idle, a process killed from outside is noticed at once, shutdown's
# grace period, and a boot storm that must not stop jitsud answering.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
J=$T_BUILD/jitsud
HELLO=$T_BUILD/uk/hello.unix

{
cat <<CONF
[jitsud]
control = $T_TMP/ctl1.sock
dns = 127.0.0.1:53
zone = example.test
max_starting = 2
max_running = 3
start_queue = 5

[service dl]
dns = dl.example.test
address = 127.77.1.1
image = $HELLO
ports = tcp:80
idle = 1s

[service term]
dns = term.example.test
address = 127.77.1.2
image = $HELLO
ports = tcp:80
idle = 0
stop = shutdown
grace = 300ms
CONF
for i in $(seq 1 30); do
	printf '[service s%d]\ndns = s%d.example.test\naddress = 127.77.2.%d\nimage = %s\nports = tcp:80\nidle = 0\n' \
	    "$i" "$i" "$i" "$HELLO"
done
} >"$T_TMP/j.conf"

LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 5 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }
get() { t_in curl -s -m 20 "$@"; }
state_is() { grep "service $1: " "$LOG" | grep -- " -> " | tail -1 | grep -q -- "-> $2"; }

# 1. A ~4 s download from a service with idle = 1s is not cut (30 MB at
#    8 MB/s: far more than the socket buffers hold, so the unikernel is
#    still sending when idle would have expired).
t_in curl -s -m 20 --limit-rate 8M -o "$T_TMP/dl.bin" http://127.77.1.1/bytes/30000000 &
DL=$!
sleep 2
check "idle does not stop a service with a connection" state_is dl running
wait "$DL"
check "long download arrived whole" test "$(stat -c %s "$T_TMP/dl.bin")" -eq 30000000
wait_for 5 state_is dl stopped
check "idle after the download stops it" state_is dl stopped

# 2. Killed from outside: noticed at once, stopped, sockets held, the next
#    connection starts it again.
check "term up" grep -q hello <<<"$(get http://127.77.1.2/)"
pid=$(pgrep -P "$JPID" | head -1)
kill -9 "$pid"
wait_for 2 state_is term stopped
check "kill from outside -> stopped" state_is term stopped
check "reason is the signal" grep -q "service term: running -> stopped .*signal 9" "$LOG"
check "restarts on the next connection" grep -q hello <<<"$(get http://127.77.1.2/)"

# 3. stop = shutdown: SIGTERM, then SIGKILL after the grace period (the
#    image is pid 1 of its namespace and ignores SIGTERM).
sed -i 's/^idle = 0$/idle = 0/' "$T_TMP/j.conf"
kill -HUP "$JPID"	# reload keeps running, unchanged services
sleep 0.3
check "reload leaves running services alone" state_is term running
# A changed service is replaced; removing "term" stops it gracefully.
sed -i '/^\[service term\]/,/^grace/d' "$T_TMP/j.conf"
kill -HUP "$JPID"
wait_for 3 grep -q "service term: removed or changed" "$LOG"
check "removed service released" grep -q "service term: removed or changed" "$LOG"

# 4. Boot storm: 30 names at once with max_starting = 2, max_running = 3
#    and a queue of 5. jitsud keeps answering (a running name answers at
#    once), runs 3, queues 5 and says so for the rest.
check "dl answers before storm" t_in kdig @127.0.0.1 +timeout=1 +retry=0 dl.example.test A
pids=()
for i in $(seq 1 30); do
	t_in kdig @127.0.0.1 +timeout=2 +retry=0 "s$i.example.test" A >/dev/null & pids+=($!)
done
o=$(t_in kdig @127.0.0.1 +timeout=1 +retry=0 +short dl.example.test A)
check "answers during the storm" test "$o" = 127.77.1.1
wait "${pids[@]}"
wait_for 10 bash -c "test \$(grep -c 'service s[0-9]*: starting -> running' '$LOG') -ge 3"
sleep 0.3
check "max_running = 3 enforced" test "$(grep -c 'service s[0-9]*: starting -> running' "$LOG")" -eq 3
check "queue bound enforced" grep -q "start queue full (5)" "$LOG"
# Stopping one frees a slot: the head of the queue starts.
first=$(grep -o 'service s[0-9]*: starting -> running' "$LOG" | head -1 | awk '{print $2}')
"$T_BUILD/jitsuctl" -s "$T_TMP/ctl1.sock" stop "${first%:}" >/dev/null
wait_for 5 bash -c "test \$(grep -c 'service s[0-9]*: starting -> running' '$LOG') -ge 4"
check "a queued start runs when a slot frees" test "$(grep -c 'service s[0-9]*: starting -> running' "$LOG")" -eq 4
# The most services ever starting at once, replayed from the log.
most=$(awk '/service s[0-9]+: .*-> starting/ {n++; if (n > m) m = n}
	/service s[0-9]+: starting -> / {n--} END {print m + 0}' "$LOG")
check "never more than max_starting = 2 at once (saw $most)" test "$most" -le 2 -a "$most" -ge 1
check "jitsud alive" kill -0 "$JPID"
