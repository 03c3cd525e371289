#!/bin/bash
# nsprobe reset: "reset inum=N" zeroes one netns and leaves the others alone;
# counting goes on from zero; bad control writes fail with EINVAL / ENOENT
# and the CLI maps them to its documented exit codes.
#
#   guest init netns                          netns rsa-XXXX
#   vha 10.78.1.1/24  <====== veth ======>    va 10.78.1.2/24
#   nsp-udp sink :5001                        netns rsb-XXXX
#   vhb 10.78.2.1/24  <====== veth ======>    vb 10.78.2.2/24
#
# IPv6 is off and neighbours are static, so the only frames are ours:
# N datagrams of S bytes from each container, then M more from rsa.
. "$(dirname "$0")/lib.sh"
[ -n "${NSP_TRACE:-}" ] && set -x
N=40 M=7 S=100
vha=vha$RANDOM vhb=vhb$RANDOM
sinks=()

cleanup() {
	kill "${sinks[@]}" 2>/dev/null
	wait 2>/dev/null
	ip link del "$vha" 2>/dev/null
	ip link del "$vhb" 2>/dev/null
	ns_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
}
on_exit cleanup

sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
modprobe veth || die "modprobe veth"
nsp_load

# pair NETNS HOSTDEV CTRDEV SUBNET: a veth pair with static neighbours.
pair() {
	local ns=$1 h=$2 c=$3 net=$4
	ip link add "$h" type veth peer name "$c" netns "$ns" || die "ip link add $h"
	ip addr add "$net.1/24" dev "$h"
	ip -n "$ns" addr add "$net.2/24" dev "$c"
	ip link set "$h" up
	ip -n "$ns" link set "$c" up
	ip neigh replace "$net.2" lladdr "$(ip -n "$ns" -br link show "$c" | awk '{print $3}')" \
		dev "$h" nud permanent
	ip -n "$ns" neigh replace "$net.1" lladdr "$(ip -br link show "$h" | awk '{print $3}')" \
		dev "$c" nud permanent
}
ns_new rsa rsa
ns_new rsb rsb
pair "$rsa" "$vha" va 10.78.1
pair "$rsb" "$vhb" vb 10.78.2
inum_a=$(ns_inum "$rsa")
inum_b=$(ns_inum "$rsb")

nsp-udp sink 5001 /tmp/ready-r </dev/null >/tmp/sink-r 2>&1 &
sinks+=($!)
wait_for_file /tmp/ready-r

ip netns exec "$rsa" nsp-udp send 10.78.1.1 5001 $N $S || die "send from rsa"
ip netns exec "$rsb" nsp-udp send 10.78.2.1 5001 $N $S || die "send from rsb"
wait_counter "/sys/class/net/$vha/statistics/rx_packets" $N || die "host did not receive $N from rsa"
wait_counter "/sys/class/net/$vhb/statistics/rx_packets" $N || die "host did not receive $N from rsb"

check "before: rsa netns tx_packets" $N "$(raw_field netns netns tx_packets inum=$inum_a)"
check "before: rsb netns tx_packets" $N "$(raw_field netns netns tx_packets inum=$inum_b)"

# (format 1.5) The node's rows follow a reset of every netns only. SIGWINCH
# (28), which nothing else in the guest sends, to a sleep in rsa: ignored
# at the send (SIG_DFL is ignore), 3 now and 2 after "reset --netns rsa".
ip netns exec "$rsa" sleep 1000 &
winch=$!
sinks+=("$winch")
winch_ready() { [ "$(readlink "/proc/$winch/ns/net")" = "net:[$inum_a]" ] && [ "$(cat "/proc/$winch/comm")" = sleep ]; }
wait_until 10 winch_ready || die "sleep did not start in $rsa"
winch_node() { # the node_sig generated count of SIGWINCH, 0 without a record
	raw_field signals node_sig generated signo=28 || [ $? -ne 1 ] || echo 0
}
kill -WINCH "$winch" "$winch" "$winch"
check "node_sig SIGWINCH generated, and rsa's sig record" "3 3" \
	"$(winch_node) $(raw_field signals sig generated inum=$inum_a signo=28)"

"$NSPROBE" reset --netns "$rsa" >/tmp/reset.out 2>&1
check "nsprobe reset --netns <name> exits 0" 0 "$?"
check "  ... and says what it reset" "nsprobe: counters of inum=$inum_a reset" "$(cat /tmp/reset.out)"
check "after reset: rsa netns tx_packets" 0 "$(raw_field netns netns tx_packets inum=$inum_a)"
check "after reset: rsa netns tx_bytes" 0 "$(raw_field netns netns tx_bytes inum=$inum_a)"
check "after reset: rsa va tx_packets" 0 "$(raw_field devices dev tx_packets inum=$inum_a name=va)"
kill -WINCH "$winch" "$winch"
check "after reset --netns rsa and 2 SIGWINCH: node_sig generated, rsa's" "5 2" \
	"$(winch_node) $(raw_field signals sig generated inum=$inum_a signo=28)"
check "after reset: rsb netns tx_packets unchanged" $N "$(raw_field netns netns tx_packets inum=$inum_b)"
check "after reset: rsb vb tx_bytes unchanged" $((N * (S + 42))) \
	"$(raw_field devices dev tx_bytes inum=$inum_b name=vb)"
check "json after reset: rsa va nsprobe tx_packets" 0 "$(show_dev "$inum_a" va .nsprobe.tx_packets)"
check "json after reset: rsb vb nsprobe tx_packets" $N "$(show_dev "$inum_b" vb .nsprobe.tx_packets)"

ip netns exec "$rsa" nsp-udp send 10.78.1.1 5001 $M $S || die "send M from rsa"
wait_counter "/sys/class/net/$vha/statistics/rx_packets" $((N + M)) || die "host did not receive M"
check "after M more: rsa netns tx_packets" $M "$(raw_field netns netns tx_packets inum=$inum_a)"
check "after M more: rsa va tx_bytes" $((M * (S + 42))) \
	"$(raw_field devices dev tx_bytes inum=$inum_a name=va)"
check "after M more: rsb netns tx_packets" $N "$(raw_field netns netns tx_packets inum=$inum_b)"

# reset by pid: a process inside rsb.
ip netns exec "$rsb" sleep 1000 &
sp=$!
for ((i = 0; i < 100; i++)); do
	[ "$(stat -L -c %i /proc/$sp/ns/net 2>/dev/null)" = "$inum_b" ] && break
	sleep 0.1
done
"$NSPROBE" reset --netns "$sp" >/dev/null 2>&1
check "nsprobe reset --netns <pid> exits 0" 0 "$?"
check "  ... rsb netns tx_packets" 0 "$(raw_field netns netns tx_packets inum=$inum_b)"
check "  ... rsa netns tx_packets unchanged" $M "$(raw_field netns netns tx_packets inum=$inum_a)"
kill $sp
wait $sp 2>/dev/null

# Bad writes straight to the control file.
ctl=$NSP_DEBUGFS/control
err=$( { printf 'bogus\n' >"$ctl"; } 2>&1 )
check "control: 'bogus' fails with EINVAL" 1 "$(grep -c 'Invalid argument' <<<"$err")"
err=$( { printf 'reset inum=+5\n' >"$ctl"; } 2>&1 )
check "control: 'reset inum=+5' fails with EINVAL" 1 "$(grep -c 'Invalid argument' <<<"$err")"
err=$( { printf 'reset inum=1\n' >"$ctl"; } 2>&1 )
check "control: 'reset inum=1' (no such netns) fails with ENOENT" 1 \
	"$(grep -c 'No such file or directory' <<<"$err")"

# The CLI's exit codes for the same failures.
"$NSPROBE" reset --netns 4294967295 >/dev/null 2>/tmp/reset.err
check "nsprobe reset --netns <unknown inum> exits 8 (module: ENOENT)" 8 "$?"
check "  ... one line on stderr" 1 "$(wc -l </tmp/reset.err)"
"$NSPROBE" reset --netns inode:99999999999 >/dev/null 2>&1
check "nsprobe reset --netns inode:<not a u32> exits 2" 2 "$?"
"$NSPROBE" reset --netns no-such-netns >/dev/null 2>&1
check "nsprobe reset --netns <unknown name> exits 8" 8 "$?"

"$NSPROBE" reset >/dev/null 2>&1
check "nsprobe reset (every netns) exits 0" 0 "$?"
check "  ... rsa netns tx_packets" 0 "$(raw_field netns netns tx_packets inum=$inum_a)"
check "  ... node_sig SIGWINCH generated (no record left)" 0 "$(winch_node)"

kill -TERM "${sinks[@]}"
wait "${sinks[@]}"
check "host sink received" "received $((2 * N + M)) $(((2 * N + M) * S))" "$(cat /tmp/sink-r)"
sinks=()

ip link del "$vha"
ip link del "$vhb"
nsp_unload
"$NSPROBE" reset >/dev/null 2>&1
check "nsprobe reset without the module exits 3" 3 "$?"
nsp_summary
