#!/bin/bash
# Exact veth counts, both directions, checked in debugfs and through the
# tool's JSON. nsprobe is loaded before veth.ko, so the veth_xmit probe is
# pending at first and arms when the first veth pair loads veth.ko.
#
#   guest init netns                         netns ctr-XXXX
#   vhN 10.77.0.1/24  <====== veth ======>   vc 10.77.0.2/24
#   nsp-udp sink :5001                       nsp-udp sink :5002
#
# IPv6 is off and neighbours are static, so the only frames are ours:
# N datagrams of S bytes from the container, M of S2 bytes back.
. "$(dirname "$0")/lib.sh"
[ -n "${NSP_TRACE:-}" ] && set -x
N=50 S=100 M=30 S2=1000
vh=vh$RANDOM

cleanup() {
	kill "${sinks[@]}" 2>/dev/null
	wait 2>/dev/null
	ip link del "$vh" 2>/dev/null
	ns_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
	modprobe -r veth 2>/dev/null
}
on_exit cleanup

modprobe -r veth 2>/dev/null
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
nsp_load
check "veth_xmit probe pending before veth.ko" pending "$(probe_state veth_xmit)"

ns_new ctr ctr
ip link add "$vh" type veth peer name vc netns "$ctr" || die "ip link add"
check "veth_xmit probe armed once veth.ko loaded" armed "$(probe_state veth_xmit)"
ip addr add 10.77.0.1/24 dev "$vh"
ip -n "$ctr" addr add 10.77.0.2/24 dev vc
ip link set "$vh" up
ip -n "$ctr" link set vc up
ip neigh replace 10.77.0.2 lladdr "$(ip -n "$ctr" -br link show vc | awk '{print $3}')" dev "$vh" nud permanent
ip -n "$ctr" neigh replace 10.77.0.1 lladdr "$(ip -br link show "$vh" | awk '{print $3}')" dev vc nud permanent

inum_host=$(stat -L -c %i /proc/self/ns/net)
inum_ctr=$(ns_inum "$ctr")
sinks=()
nsp-udp sink 5001 /tmp/ready-h </dev/null >/tmp/sink-h 2>&1 &
sinks+=($!)
ip netns exec "$ctr" nsp-udp sink 5002 /tmp/ready-c </dev/null >/tmp/sink-c 2>&1 &
sinks+=($!)
wait_for_file /tmp/ready-h
wait_for_file /tmp/ready-c

ip netns exec "$ctr" nsp-udp send 10.77.0.1 5001 $N $S || die "send from container"
wait_counter "/sys/class/net/$vh/statistics/rx_packets" $N || die "host did not receive $N"

check "debugfs: container vc tx_packets" $N "$(raw_field devices dev tx_packets inum=$inum_ctr name=vc)"
check "debugfs: container vc tx_bytes" $((N * (S + 42))) "$(raw_field devices dev tx_bytes inum=$inum_ctr name=vc)"
check "debugfs: host $vh tx_packets before reply" 0 "$(raw_field devices dev tx_packets inum=$inum_host name=$vh)"
check "json: container vc nsprobe tx_packets" $N "$(show_dev "$inum_ctr" vc .nsprobe.tx_packets)"
check "json: container vc nsprobe tx_bytes" $((N * (S + 42))) "$(show_dev "$inum_ctr" vc .nsprobe.tx_bytes)"
check "json: container vc kernel tx_packets" $N "$(show_dev "$inum_ctr" vc .kernel_stats.tx_packets)"
check "json: container vc peer is $vh" "$vh" "$(show_dev "$inum_ctr" vc .peer.name)"
check "json: container vc peer netns is the host's" "$inum_host" "$(show_dev "$inum_ctr" vc .peer.netns.inum)"

nsp-udp send 10.77.0.2 5002 $M $S2 || die "send from host"
wait_counter "/sys/class/net/$vh/statistics/tx_packets" $M || die "host did not send $M"
ip netns exec "$ctr" cat /sys/class/net/vc/statistics/rx_packets >/dev/null
for ((i = 0; i < 300; i++)); do
	[ "$(ip netns exec "$ctr" cat /sys/class/net/vc/statistics/rx_packets)" -ge $M ] && break
	sleep 0.1
done

check "debugfs: host $vh tx_packets" $M "$(raw_field devices dev tx_packets inum=$inum_host name=$vh)"
check "debugfs: host $vh tx_bytes" $((M * (S2 + 42))) "$(raw_field devices dev tx_bytes inum=$inum_host name=$vh)"
check "json: host $vh nsprobe tx_packets" $M "$(show_dev "$inum_host" "$vh" .nsprobe.tx_packets)"
check "json: host $vh nsprobe tx_bytes" $((M * (S2 + 42))) "$(show_dev "$inum_host" "$vh" .nsprobe.tx_bytes)"
check "json: host $vh peer is vc in the container" "$inum_ctr" "$(show_dev "$inum_host" "$vh" .peer.netns.inum)"
check "json: container vc still $N packets" $N "$(show_dev "$inum_ctr" vc .nsprobe.tx_packets)"
check "debugfs: container netns tx_packets" $N "$(raw_field netns netns tx_packets inum=$inum_ctr)"

kill -TERM "${sinks[@]}"
wait "${sinks[@]}"
check "host sink received" "received $N $((N * S))" "$(cat /tmp/sink-h)"
check "container sink received" "received $M $((M * S2))" "$(cat /tmp/sink-c)"
sinks=()

ip link del "$vh"
nsp_unload
check "nsprobe unloaded" "" "$(grep '^nsprobe ' /proc/modules)"
nsp_summary
