#!/bin/bash
# The path split: GRO on the peer puts veth's NAPI ring on the path.
#
#   netns va-XXXX  va 10.88.0.1  <== veth ==>  vb 10.88.0.2 (gro on)
#
# veth_xmit() takes the NAPI path when the peer queue has a NAPI (XDP or
# GRO) and the skb is eligible for GRO: with TSO on the sender (the
# default), only UDP from a socket towards a peer with rx-udp-gro-forwarding
# or rx-gro-list; with TSO off, every skb. So: gro on on vb, tso off on va.
# N datagrams -> all N on path_napi, none on path_backlog; then GRO off:
# M datagrams all on path_backlog.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
N=30 M=20 S=200

veth_setup
veth_pair A B
ip netns exec "$B" ethtool -K vb gro on || die "ethtool -K vb gro on"
ip netns exec "$A" ethtool -K va tso off >/dev/null 2>&1
udp_sink "$B" 5001
udp_send "$A" 10.88.0.2 5001 $N $S || die "send N"
wait_kstat "$B" vb rx_packets $N || die "vb did not receive $N"
check "gro on: va tx_packets" $N "$(dev_ctr "$A" va tx_packets)"
check "gro on: va path_napi" $N "$(dev_ctr "$A" va path_napi)"
check "gro on: va path_backlog" 0 "$(dev_ctr "$A" va path_backlog)"
check "gro on: va drops" 0 "$(dev_ctr "$A" va drops)"

ip netns exec "$B" ethtool -K vb gro off || die "ethtool -K vb gro off"
udp_send "$A" 10.88.0.2 5001 $M $S || die "send M"
wait_kstat "$B" vb rx_packets $((N + M)) || die "vb did not receive $M more"
check "gro off: va path_backlog" $M "$(dev_ctr "$A" va path_backlog)"
check "gro off: va path_napi still" $N "$(dev_ctr "$A" va path_napi)"
check "netns A path_napi" $N "$(ns_ctr "$A" path_napi)"
sinks_stop
check "sink received" "received $((N + M)) $(((N + M) * S))" "$(cat /tmp/sink-$B-5001)"

ns_cleanup
nsp_unload
check "dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
