# tests/integration/7x-libvirt.bash - private libvirt daemons for the
# libvirt tests (71-, 72-) and bench/coldstart.d/libvirt.sh. Sourced after
# tests/lib/lib.sh; not a test itself (run.sh runs *.sh only).
#
# lv_daemon NAME NETNS [tcp]: a libvirtd of its own, as a second machine
# would have: its own mount namespace (tmpfs over /run/libvirt,
# /var/lib/libvirt, /var/log/libvirt, /var/cache/libvirt, /etc/libvirt,
# /run/lock: the console lock files, LCK.._pts_N, would otherwise be
# shared by daemons whose consoles reuse each other's pty numbers,
# plus a passwd with the libvirt-qemu user that Debian's
# libvirt-daemon-system would add), its unix socket in
# $T_TMP/lv-NAME/libvirt-sock, and with tcp, listening on port 16509 of
# NETNS without auth (test only). Sets LV_SOCK_NAME, LV_PID_NAME (the
# libvirtd, for kill -9 mid-test) and registers the stop by pid.
#
# libvirtd runs under a small subreaper: QEMUs that libvirtd daemonizes
# are reaped at once (PID 1 here reaps orphans ~1.2 s late, and libvirt
# waits for the reap on every destroy), and the subreaper ends them all
# when the test ends. The first connection to a fresh daemon takes ~4-8 s
# (it probes QEMU's capabilities).

lv_have() {
	command -v libvirtd >/dev/null && command -v virsh >/dev/null &&
	    [ -x /usr/bin/python3 ] && [ -f /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ]
}

lv_daemon() {
	local name=$1 ns=$2 tcp=${3:-} d=$T_TMP/lv-$1 wpid
	mkdir -p "$d"
	{
		echo "unix_sock_dir = \"$d\""
		echo 'unix_sock_rw_perms = "0700"'
		echo 'auth_unix_rw = "none"'
		echo 'auth_unix_ro = "none"'
		echo 'listen_tls = 0'
		if [ -n "$tcp" ]; then
			echo 'listen_tcp = 1'
			echo 'auth_tcp = "none"'
			echo 'listen_addr = "0.0.0.0"'
		fi
		echo 'keepalive_interval = 2'
	} >"$d/libvirtd.conf"
	# stdio_handler = file: QEMU's log without virtlogd; no namespaces
	# and no security driver: a test host, no labels to manage.
	cat >"$d/qemu.conf" <<-EOF
	stdio_handler = "file"
	namespaces = [ ]
	security_driver = "none"
	user = "root"
	group = "root"
	dynamic_ownership = 0
	remember_owner = 0
	EOF
	cp /etc/passwd "$d/passwd"
	cp /etc/group "$d/group"
	grep -q '^libvirt-qemu:' "$d/passwd" ||
		echo 'libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin' >>"$d/passwd"
	grep -q '^libvirt-qemu:' "$d/group" || echo 'libvirt-qemu:x:64055:' >>"$d/group"
	grep -q '^kvm:' "$d/group" || echo 'kvm:x:64056:' >>"$d/group"
	cat >"$d/reaper.py" <<-'EOF'
	import ctypes, os, signal, sys
	ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)	# PR_SET_CHILD_SUBREAPER
	pid = os.fork()
	if pid == 0:
	    os.execvp(sys.argv[1], sys.argv[1:])
	stopping = False
	def kill_children():
	    me = str(os.getpid())
	    for p in os.listdir("/proc"):
	        try:
	            with open("/proc/%s/stat" % p) as f:
	                if f.read().rsplit(")", 1)[1].split()[1] == me:
	                    os.kill(int(p), signal.SIGKILL)
	        except (OSError, ValueError, IndexError):
	            pass
	def stop(sig, frame):
	    global stopping
	    stopping = True
	    if pid > 0:
	        os.kill(pid, signal.SIGTERM)
	        signal.alarm(3)
	    else:
	        kill_children()
	signal.signal(signal.SIGTERM, stop)
	signal.signal(signal.SIGALRM, lambda s, f: kill_children())
	while True:
	    try:
	        w, _ = os.wait()
	    except ChildProcessError:
	        break
	    except InterruptedError:
	        continue
	    if w == pid:
	        # libvirtd is gone (stopped, or killed by the test): its
	        # QEMUs live on, as on a real host, until we are stopped.
	        pid = -1
	        if stopping:
	            kill_children()
	EOF
	cat >"$d/inner.sh" <<-EOF
	set -e
	mount --make-rprivate /
	for m in /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt /etc/libvirt /run/lock; do
		mkdir -p \$m
		mount -t tmpfs tmpfs \$m
	done
	cp "$d/qemu.conf" /etc/libvirt/qemu.conf
	mount --bind "$d/passwd" /etc/passwd
	mount --bind "$d/group" /etc/group
	exec /usr/bin/python3 "$d/reaper.py" libvirtd -f "$d/libvirtd.conf" \
	    -p "$d/libvirtd.pid" ${tcp:+--listen}
	EOF
	nsenter --net=/run/netns/"$ns" unshare -m bash "$d/inner.sh" \
	    >"$d/log" 2>&1 &
	wpid=$!
	T_CLEANUP+=("kill $wpid 2>/dev/null; wait $wpid 2>/dev/null")
	printf -v "LV_SOCK_$name" '%s' "$d/libvirt-sock"
	printf -v "LV_WRAP_$name" '%s' "$wpid"
	printf -v "LV_DIR_$name" '%s' "$d"
	wait_for 10 test -S "$d/libvirt-sock" -a -s "$d/libvirtd.pid" ||
		{ echo "libvirtd $name did not start:"; tail -5 "$d/log"; return 1; }
	printf -v "LV_PID_$name" '%s' "$(cat "$d/libvirtd.pid")"
}

# lv_virsh NAME ARGS...: virsh on daemon NAME through its unix socket.
lv_virsh() {
	local s="LV_SOCK_$1"; shift
	virsh -q -c "qemu:///system?socket=${!s}" "$@"
}

# lv_running NAME: the domains running on daemon NAME, one per line.
lv_running() { lv_virsh "$1" list --name 2>/dev/null | sed '/^$/d'; }
