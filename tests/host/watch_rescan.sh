#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# watch_rescan.sh NSPROBE DEBUGFS TAG: watch reuses its netns list between
# refreshes (issue 10), run by tests/host/run as
#   unshare --mount --pid --fork --mount-proc --propagation private
# so that its /proc holds only the processes started here and its /run/netns
# is a private tmpfs: nothing else on the host makes a watch rescan.
#
# W1 (--rescan 1000) never rescans on age; W2 (--rescan 1) does.
#  1. A netns only a process holds (unshare) is created: W2 lists it, W1
#     does not (its list is reused: no full scan).
#  2. `ip netns add` changes /run/netns: W1 rescans, lists the new netns and,
#     from that full scan, the process's netns too.
#  3. The process exits: its netns can no longer be opened, W1 rescans, and
#     the netns is gone from its frames; the added one stays.
# Prints KEY=VALUE lines (0: the frame had it, 1: it did not), read by the
# caller's checks; exit 1 on a set-up failure.
set -u
NSPROBE=$1 DEBUGFS=$2 S=$3
T=$(mktemp -d /tmp/nsprobe-rescan.XXXXXX)
mount -t tmpfs none /run/netns 2>/dev/null || { mkdir -p /run/netns && mount -t tmpfs none /run/netns; } ||
	{ echo "cannot mount a private /run/netns"; exit 1; }
NSR=nsr-$S
W1= W2= P=
cleanup() {
	kill $W1 $W2 $P 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NSR" 2>/dev/null
	ip link del "hw-$S" 2>/dev/null
	ip link del "hr-$S" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# has FILE INUM: the last complete frame of FILE lists INUM.
has() {
	local n
	n=$(wc -l <"$1")
	[[ $n -gt 0 ]] && sed -n "${n}p" "$1" | jq -e --argjson i "$2" 'any(.netns[]; .inum == $i)' >/dev/null
}
hasnt() { ! has "$@"; }
poll() { # SECONDS COMMAND...
	local i
	for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
	return 1
}
frames() { wc -l <"$1"; }
more_frames() { [[ $(frames "$1") -ge $2 ]]; }

"$NSPROBE" --debugfs "$DEBUGFS" watch --json -i 0.2 -n 100000 --rescan 1000 >"$T/w1" 2>&1 &
W1=$!
"$NSPROBE" --debugfs "$DEBUGFS" watch --json -i 0.2 -n 100000 --rescan 1 >"$T/w2" 2>&1 &
W2=$!
poll 20 more_frames "$T/w1" 1 && poll 20 more_frames "$T/w2" 1 || { echo "no frame"; exit 1; }

unshare --net sleep 100000 &
P=$!
own_netns() { [[ $(readlink "/proc/$P/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }
poll 5 own_netns ||
	{ echo "unshare --net did not run"; exit 1; }
ip link add "hw-$S" type veth peer name eth0 netns "$P" || exit 1
PINUM=$(stat -L -c %i "/proc/$P/ns/net")
poll 20 has "$T/w2" "$PINUM"
echo "w2_sees_proc_ns=$?"
# Two more frames of W1, both sampled after W2 listed it.
n=$(frames "$T/w1")
poll 20 more_frames "$T/w1" $((n + 2))
has "$T/w1" "$PINUM"
echo "w1_sees_proc_ns_early=$?"

ip netns add "$NSR" || exit 1
ip link add "hr-$S" type veth peer name eth0 netns "$NSR" || exit 1
RINUM=$(stat -L -c %i "/run/netns/$NSR")
poll 20 has "$T/w1" "$RINUM"
echo "w1_sees_added=$?"
has "$T/w1" "$PINUM"
echo "w1_sees_proc_ns=$?"

kill $P
wait $P 2>/dev/null
P=
poll 20 hasnt "$T/w1" "$PINUM"
echo "w1_dropped_proc_ns=$?"
has "$T/w1" "$RINUM"
echo "w1_kept_added=$?"
kill $W1 $W2
wait $W1 $W2 2>/dev/null
W1= W2=
echo "error_lines=$(cat "$T/w1" "$T/w2" | grep -cv '^{')"
