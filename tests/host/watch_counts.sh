#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# watch_counts.sh NSPROBE DEBUGFS TAG: between full dumps, watch reads link
# counters cheaply (LinkDumpCache, issue 10 item 2), and they are exact. Run
# by tests/host/run as
#   unshare --net --mount --pid --fork --mount-proc --propagation private
# so that its netns (lo only), /proc and /run/netns (a private tmpfs) hold only
# what is made here: the cache's counts are exact too.
#
#   netns P (process-held: a sleep)        netns Q (bind mount only)
#   va 10.89.0.1  <------------------------>  vb 10.89.0.2
#
# IPv6 off before the veth exists, static neighbours: only our datagrams
# cross. They go to 10.89.0.9, a neighbour entry on vb's MAC: Q receives
# them and, not forwarding, drops them without a reply. So P's va sends
# COUNT packets of SIZE + 42 bytes and Q's vb receives them; nothing else.
# P is read through /proc/<pid>/net/dev (a veth and lo, a process), Q through
# RTM_GETSTATS (no process), the tool's own netns through /proc (lo only).
#
# 1. watch --json --rescan 1000 -n FRAMES; after its second frame, COUNT
#    datagrams; summed over the frames, rate x interval of va (tx) and vb
#    (rx) must be the exact counts.
# 2. Then a veth pair p1/p2 appears in P: /proc/net/dev lists other names,
#    the cache refuses its read, P is dumped in full and p1 shows.
# 3. NSPROBE_WATCH_STATS=1 makes watch print its cache counts at exit.
# 4. The same state with --rescan 0 (a full dump of every netns at every
#    refresh): the same netns, labels, cookies and interfaces.
# Prints KEY=VALUE lines read by the caller's checks; exit 1 on a set-up
# failure.
set -u
NSPROBE=$1 DEBUGFS=$2 S=$3
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/nsprobe-counts.XXXXXX)
COUNT=1000 SIZE=200 FRAMES=30
P=nsp-$S Q=nsq-$S
W= HOLD=
cleanup() {
	kill $W $HOLD 2>/dev/null
	wait 2>/dev/null
	ip netns del "$P" 2>/dev/null
	ip netns del "$Q" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
die() { echo "set-up: $*"; exit 1; }
poll() { # SECONDS COMMAND...
	local i
	for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
	return 1
}
frames() { local n; n=$(grep -c '^{' "$1" 2>/dev/null); echo "${n:-0}"; }
more_frames() { [[ $(frames "$1") -ge $2 ]]; }

cc -O2 -o "$T/nsp-udp" "$HERE/../tools/nsp-udp.c" || die "cannot build nsp-udp"
# Only our netns: no bind mount of the host's (tests/host/run's nsbind
# mount, docker's, ...) in this private copy of the mount table.
awk '$0 ~ / - nsfs / { print $5 }' /proc/self/mountinfo | while read -r m; do
	umount -l "$(printf '%b' "$m")" 2>/dev/null
done
mount -t tmpfs none /run/netns 2>/dev/null || { mkdir -p /run/netns && mount -t tmpfs none /run/netns; } ||
	die "cannot mount a private /run/netns"
[[ $(grep -c ' - nsfs ' /proc/self/mountinfo) -eq 0 ]] || die "nsfs mounts left"
for ns in "$P" "$Q"; do
	ip netns add "$ns" || die "ip netns add $ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || die "sysctl in $ns"
done
ip link add va netns "$P" type veth peer name vb netns "$Q" || die "ip link add"
ip -n "$P" addr add 10.89.0.1/24 dev va
ip -n "$Q" addr add 10.89.0.2/24 dev vb
ip -n "$P" link set va up
ip -n "$Q" link set vb up
mac_vb=$(ip -n "$Q" -br link show vb | awk '{print $3}')
ip -n "$P" neigh replace 10.89.0.9 dev va nud permanent lladdr "$mac_vb" || die "neigh"
ip netns exec "$P" sleep 100000 &
HOLD=$!
PINUM=$(stat -L -c %i "/run/netns/$P") QINUM=$(stat -L -c %i "/run/netns/$Q")
in_p() { [[ $(stat -L -c %i "/proc/$HOLD/ns/net" 2>/dev/null) == "$PINUM" ]]; }
poll 10 in_p || die "the sleep process is not in $P"

NSPROBE_WATCH_STATS=1 "$NSPROBE" --debugfs "$DEBUGFS" watch --json -i 0.2 -n $FRAMES \
	--rescan 1000 >"$T/w" 2>"$T/w.err" &
W=$!
poll 30 more_frames "$T/w" 2 || die "no second frame"
ip netns exec "$P" "$T/nsp-udp" send 10.89.0.9 9 $COUNT $SIZE >/dev/null || die "nsp-udp send"
n=$(frames "$T/w")
poll 30 more_frames "$T/w" $((n + 2)) || die "no frame after the datagrams"
ip -n "$P" link add p1 type veth peer name p2 || die "ip link add p1"
has_p1() {
	tail -n 1 "$T/w" | jq -e --argjson i "$PINUM" \
		'any(.netns[] | select(.inum == $i) | .interfaces[]; .name == "p1")' >/dev/null
}
poll 30 has_p1
echo "p1_shows=$?"
wait $W
echo "watch_rc=$?"
W=
echo "frames=$(frames "$T/w")"

# sum NETNS-INUM DEV FIELD: the sum over all frames of FIELD x interval.
sum() {
	jq -r --argjson i "$1" --arg d "$2" --arg f "$3" \
		'.interval as $t | .netns[] | select(.inum == $i) | .interfaces[]
		 | select(.name == $d) | (.[$f] // 0) * $t' "$T/w" |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
}
echo "va_tx_packets=$(sum "$PINUM" va tx_pps)"
echo "va_tx_bytes=$(sum "$PINUM" va tx_bps)"
echo "va_rx_packets=$(sum "$PINUM" va rx_pps)"
echo "vb_rx_packets=$(sum "$QINUM" vb rx_pps)"
echo "vb_rx_bytes=$(sum "$QINUM" vb rx_bps)"
echo "vb_tx_packets=$(sum "$QINUM" vb tx_pps)"
echo "expected_packets=$COUNT expected_bytes=$((COUNT * (SIZE + 42)))"
# Every frame has a rate for va and vb (none fresh, none reset).
echo "null_rates=$(jq --argjson p "$PINUM" --argjson q "$QINUM" \
	'[.netns[] | select(.inum == $p or .inum == $q) | .interfaces[]
	  | select(.name == "va" or .name == "vb") | .tx_pps, .rx_pps | select(. == null)] | length' \
	"$T/w" | awk '{ s += $1 } END { print s }')"
# The kernel's own counters agree.
echo "kernel_va_tx=$(ip netns exec "$P" cat /sys/class/net/va/statistics/tx_packets)"
echo "kernel_vb_rx=$(ip netns exec "$Q" cat /sys/class/net/vb/statistics/rx_packets)"
# "nsprobe: watch: link dumps: full F, /proc/net/dev R, RTM_GETSTATS N, refused X"
stats=$(grep '^nsprobe: watch: link dumps:' "$T/w.err")
echo "stats_line=$stats"
echo "error_lines=$(grep -vc '^nsprobe: watch: link dumps:' "$T/w.err")"

# 4. --rescan 0 against the default, on the same (now quiet) state.
"$NSPROBE" --debugfs "$DEBUGFS" watch --json -i 0.2 -n 2 --rescan 0 >"$T/full" 2>/dev/null
echo "full_rc=$?"
"$NSPROBE" --debugfs "$DEBUGFS" watch --json -i 0.2 -n 2 >"$T/cached" 2>/dev/null
echo "cached_rc=$?"
shape() {
	tail -n 1 "$1" | jq -c '[.netns[] | {inum: .inum, cookie: .cookie, label: .label, fresh: .fresh,
		interfaces: ([.interfaces[] | {ifindex: .ifindex, name: .name}] | sort_by(.ifindex))}]
		| sort_by(.inum)'
}
shape "$T/full" >"$T/full.shape"
shape "$T/cached" >"$T/cached.shape"
echo "shape_netns=$(jq length "$T/cached.shape")"
cmp -s "$T/full.shape" "$T/cached.shape"
echo "same_shape=$?"
cat "$T/cached.shape"
