#!/bin/bash
# A real container runtime (issue 9, item 8): Debian's podman with crun and
# conmon, no registry, no network. The image is imported (podman import)
# from a root filesystem made here from /bin/busybox (busybox-static).
# Storage, run state and events live on the guest's tmpfs (/tmp, /run): the
# guest sees the host's root filesystem read-only.
#   stop: PID 1 is busybox sleep, which installs no handler. "podman stop -t 2"
#     sends SIGTERM, dropped by init protection (SIGNAL_UNKILLABLE, SIG_DFL),
#     then SIGKILL two seconds later, forced from the ancestor pid namespace
#     and delivered. Both events in the container's netns, in that order;
#     "nsprobe show --json" names the container by podman's id while it runs.
#     "nsprobe signals --why" tells the same two steps.
#   oom: a container under --memory 24m whose PID 1 becomes dd with a 64 MiB
#     buffer: the memory cgroup's OOM killer kills it (SIGKILL, cause=oom),
#     and "signals --why" says so.
# Each container's netns is held by a bind mount, so that its records
# outlive the container.
# If podman cannot run here, the test says why (podman's own error) and fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
TERM_=15
KILL=9
IMG=localhost/nsp-busybox:1
top=/tmp/nsp-podman
P=(podman --root "$top/root" --runroot /run/nsp-podman --tmpdir /run/nsp-podman/tmp
	--storage-driver vfs --cgroup-manager cgroupfs --events-backend file
	--runtime crun --log-level error)

holds=()
pod_cleanup() {
	local h
	"${P[@]}" rm -af -t 0 >/dev/null 2>&1
	"${P[@]}" rmi -af >/dev/null 2>&1
	for h in "${holds[@]}"; do umount "$h" && rm -f "$h"; done 2>/dev/null
	rm -rf "$top" /run/nsp-podman
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
}
on_exit pod_cleanup

for t in podman crun conmon; do
	command -v "$t" >/dev/null || die "$t is not installed (scripts/setup installs podman crun conmon)"
done
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
grep -qw pids /sys/fs/cgroup/cgroup.subtree_control ||
	echo +pids >/sys/fs/cgroup/cgroup.subtree_control

# pod CMD...: podman CMD, its output on stdout; on failure, podman's own
# error on stderr (so a caller's $(...) does not swallow it), status 1
pod() {
	local out
	out=$("${P[@]}" "$@" 2>&1) || { echo "  podman $1 failed: $out" >&2; return 1; }
	echo "$out"
}

# The image: bin/busybox and its applets, nothing else.
rootfs=$top/rootfs
mkdir -p "$rootfs"/{bin,dev,proc,sys,etc,tmp} || die "mkdir $rootfs"
cp /bin/busybox "$rootfs/bin/busybox" || die "no /bin/busybox (busybox-static)"
for a in sh sleep dd cat ls test; do ln -s busybox "$rootfs/bin/$a"; done
tar -C "$rootfs" -cf "$top/rootfs.tar" . || die "tar $rootfs"
pod import "$top/rootfs.tar" "$IMG" >/dev/null || die "podman cannot import an image here"
check "podman import: the image exists" "$IMG" "$(pod images --format '{{.Repository}}:{{.Tag}}' "$IMG")"

# ev_pod INUM PID: "signo outcome reason origin forced=F cause=C nspid=N" of
# the events of netns INUM whose target is PID, one per line
ev_pod() {
	awk -v inum="$1" -v pid="$2" -v want="${3:-brief}" '
		$1 != "ev" { next }
		{
			delete kv
			for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
			if (kv["inum"] != inum || kv["target_pid"] != pid) next
			if (want == "brief")
				print kv["signo"], kv["outcome"], kv["reason"], kv["origin"], "forced=" kv["forced"], "cause=" kv["cause"], "nspid=" kv["target_nspid"]
			else
				print kv["signo"], kv["ts_ns"], kv["sender_comm"], kv["sender_pid"], kv["sender_netns"]
		}' "$NSP_DEBUGFS/events"
}
# pid1_of NAME: the host pid of the container's PID 1, and checks it
pid1_of() {
	pod inspect -f '{{.State.Pid}}' "$1"
}
nspid() { awk '$1 == "NSpid:" {print $NF}' "/proc/$1/status"; }
# hold_netns PID NAME: bind-mount the netns of PID, so that it (and the
# module's records of it, which vanish with it) outlives the container
hold_netns() {
	local hold=/run/nsp-podman-$2-netns
	touch "$hold" || die "touch $hold"
	mount --bind "/proc/$1/ns/net" "$hold" || die "bind mount the netns of $1"
	holds+=("$hold")
}

nsp_load

# ---- stop: SIGTERM ignored by init, SIGKILL after the timeout --------------
id=$(pod run -d --name nsp-stop --network none --pid private \
	--log-driver k8s-file "$IMG" sleep 1000) || die "podman cannot run a container here"
pid=$(pid1_of nsp-stop) || die "podman inspect nsp-stop"
in=$(stat -L -c %i "/proc/$pid/ns/net")
check "stop: PID 1 is sleep (no catatonit, no init injected)" "sleep 1" \
	"$(cat "/proc/$pid/comm") $(nspid "$pid")"
check "stop: podman top: one process, PID 1 sleep" "1 sleep" \
	"$(pod top nsp-stop pid comm | awk 'NR > 1 {print $1, $2}')"
check "stop: PID 1 catches no signal (SigCgt)" 0000000000000000 \
	"$(awk '$1 == "SigCgt:" {print $2}' "/proc/$pid/status")"
check "stop: the container has its own netns" 1 \
	"$([ "$in" != "$(stat -L -c %i /proc/self/ns/net)" ] && echo 1 || echo 0)"
check "stop: show --json: container runtime and id, init" "podman $id $pid sleep" \
	"$(nsp_json show | jq -r --argjson inum "$in" \
		'.netns[] | select(.inum == $inum) | "\(.container.runtime) \(.container.id) \(.init.pid) \(.init.comm)"')"
check "stop: show --json: the container's cgroup" "/libpod_parent/libpod-$id" \
	"$(nsp_json show | jq -r --argjson inum "$in" '.netns[] | select(.inum == $inum) | .container.cgroup')"
check "stop: --netns <id prefix> selects its netns" "$in" \
	"$(nsp_json show --netns "${id:0:12}" | jq -r '.netns[].inum')"
check "stop: no signal event in the netns before the stop" 0 "$(ev_pod "$in" "$pid" | wc -l)"
check "stop: signals --why <id prefix> while it runs: its netns, no step yet" "$in 0" \
	"$(nsp_json signals --why "${id:0:12}" | jq -r '"\(.inum) \(.steps | length)"')"
check "stop: signals --why while it runs: a container, podman's id" "container podman $id" \
	"$(nsp_json signals --why "${id:0:12}" | jq -r '"\(.kind) \(.container.runtime) \(.container.id)"')"
hold_netns "$pid" stop

pod stop -t 2 nsp-stop >/dev/null || die "podman stop"
wait_gone "$pid" 10 || die "PID 1 ($pid) still alive after podman stop"
check "stop: exit code (SIGKILL)" 137 "$(pod inspect -f '{{.State.ExitCode}}' nsp-stop)"
check "stop: SIGTERM generated forced ignored ignored_init delivered_term" "1 1 1 1 0" \
	"$(sig_ctrs "$in" $TERM_ generated forced ignored ignored_init delivered_term)"
check "stop: SIGKILL generated forced ignored delivered_term origin_process oom_kill" "1 1 0 1 1 0" \
	"$(sig_ctrs "$in" $KILL generated forced ignored delivered_term origin_process oom_kill)"
check "stop: the events, in order" \
	"15 ignored init process forced=1 cause=- nspid=1|9 delivered_term - process forced=1 cause=- nspid=1" \
	"$(ev_pod "$in" "$pid" | paste -sd'|')"
# (no process substitution: the guest has no /dev/fd)
read -r _ t1 c1 p1 n1 <<<"$(ev_pod "$in" "$pid" full | sed -n 1p)"
read -r _ t2 c2 p2 n2 <<<"$(ev_pod "$in" "$pid" full | sed -n 2p)"
echo "  senders: SIGTERM by $c1 (pid $p1, netns $n1), SIGKILL by $c2 (pid $p2, netns $n2)"
dt_ms=$(((t2 - t1) / 1000000))
# podman waits its 2 s on the guest's clock, the one ts_ns reads: never
# less; the upper bound is loose, a loaded TCG guest can be slow to follow
check "stop: SIGTERM to SIGKILL within [2 s, 30 s] (${dt_ms} ms)" 1 \
	"$([ "$dt_ms" -ge 2000 ] && [ "$dt_ms" -le 30000 ] && echo 1 || echo 0)"
check "stop: events in the netns (nothing else)" 2 \
	"$(grep -c "^ev inum=$in " "$NSP_DEBUGFS/events")"
# signals --why: the same story in words. The container has no process left,
# so its id prefix no longer names a netns (the prefix is read from the
# cgroup of the netns's processes): select it by the held bind mount, and by
# its inode. A later change keeps the records of dead netns.
why=$(nsp_json signals --why /run/nsp-podman-stop-netns) || die "signals --why: exit $?"
check "stop: --why: exactly the two steps (signal outcome reason forced inside)" \
	"SIGTERM ignored init true false|SIGKILL delivered_term - true false" \
	"$(jq -r '.steps[] | "\(.signal) \(.outcome) \(.reason) \(.forced) \(.sender.inside)"' <<<"$why" |
		paste -sd'|')"
why_ms=$(jq -r '.steps[1].since_prev_ns // 0 | . / 1000000 | floor' <<<"$why")
check "stop: --why: SIGKILL at least 2 s after SIGTERM (${why_ms} ms)" 1 \
	"$([ "$why_ms" -ge 2000 ] && echo 1 || echo 0)"
check "stop: --why after the stop: a container still (its PID 1 had a pid namespace)" container \
	"$(jq -r .kind <<<"$why")"
check "stop: --why <inode>: the same steps" 1 \
	"$([ "$(jq -c .steps <<<"$why")" = "$(nsp_json signals --why "$in" | jq -c .steps)" ] &&
		echo 1 || echo 0)"
echo "  $("$NSPROBE" signals --why "$in" | sed -n '2,$p' | paste -sd' ')"

# ---- oom: the container's PID 1 is OOM-killed under --memory 24m -----------
id2=$(pod run -d --name nsp-oom --network none --pid private --memory 24m \
	--memory-swap 24m --log-driver k8s-file "$IMG" \
	sh -c 'while ! test -e /tmp/go; do sleep 0.1; done; exec dd if=/dev/zero of=/dev/null bs=64M count=1') ||
	die "podman cannot run a container with --memory here"
pid=$(pid1_of nsp-oom) || die "podman inspect nsp-oom"
in2=$(stat -L -c %i "/proc/$pid/ns/net")
hold_netns "$pid" oom
check "oom: show --json: container runtime and id" "podman $id2" \
	"$(nsp_json show | jq -r --argjson inum "$in2" '.netns[] | select(.inum == $inum) | "\(.container.runtime) \(.container.id)"')"
cg=/sys/fs/cgroup/libpod_parent/libpod-$id2
check "oom: memory.max of the container's cgroup" $((24 << 20)) "$(cat "$cg/memory.max")"
touch "/proc/$pid/root/tmp/go"
wait_gone "$pid" 30 || die "PID 1 ($pid) of nsp-oom still alive"
check "oom: exit code (SIGKILL)" 137 "$(pod wait nsp-oom)"
check "oom: PID 1 is the same process, now dd: its SIGKILL event" \
	"9 delivered_term - kernel forced=1 cause=oom nspid=1" \
	"$(ev_pod "$in2" "$pid" | awk '$1 == 9')"
check "oom: SIGKILL generated forced oom_kill origin_kernel delivered_term" "1 1 1 1 1" \
	"$(sig_ctrs "$in2" $KILL generated forced oom_kill origin_kernel delivered_term)"
check "oom: SIGKILL events with cause=oom in the netns" 1 \
	"$(grep -Ec "^ev inum=$in2 .* signo=9 .* cause=oom( |$)" "$NSP_DEBUGFS/events")"
why=$(nsp_json signals --why /run/nsp-podman-oom-netns) || die "signals --why: exit $?"
check "oom: --why: the SIGKILL step by the OOM killer (signal outcome cause sender nspid)" \
	"SIGKILL delivered_term oom oom_killer 1" \
	"$(jq -r '.steps[] | select(.cause == "oom") |
		"\(.signal) \(.outcome) \(.cause) \(.sender.kind) \(.target.nspid)"' <<<"$why")"
echo "  podman says OOMKilled=$(pod inspect -f '{{.State.OOMKilled}}' nsp-oom)"

check "sig_unattributed" 0 "$(raw_field stats stats sig_unattributed)"
check "oom_unattributed" 0 "$(raw_field stats stats oom_unattributed)"
nsp_unload
nsp_summary
