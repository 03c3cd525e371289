#!/bin/bash
# Latency histograms (latency=1): every datagram that crossed is one
# matched sample, on both paths; nothing is left unmatched; the xmit
# histogram counts every veth_xmit() call.
#
#   netns va-XXXX  va 10.88.0.1  <== veth ==>  vb 10.88.0.2
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
N=40 M=30 K=20 S=100

hist() {	# hist FILE-TYPE FIELD KEY=VAL...
	raw_field latency "$@"
}

# wait_cross N: the match happens in the receiver's softirq, after sendto()
# returned; wait until vb's cross histogram holds N samples (or 10 s).
wait_cross() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(hist dev_hist count inum=$ib name=vb kind=cross)" = "$1" ] && return
		sleep 0.1
	done
}

veth_setup latency=1
check "latency file exists" 0 "$(test -r $NSP_DEBUGFS/latency; echo $?)"
check "rx_backlog probe armed" armed "$(probe_field rx_backlog state)"
check "rx_napi probe armed" armed "$(probe_field rx_napi state)"
veth_pair A B
ia=$(ns_inum "$A") ib=$(ns_inum "$B")
udp_sink "$B" 5001
udp_send "$A" 10.88.0.2 5001 $N $S || die "send N"
wait_kstat "$B" vb rx_packets $N || die "vb did not receive $N"
wait_cross $N
check "backlog: va xmit count" $N "$(hist dev_hist count inum=$ia name=va kind=xmit)"
check "backlog: vb cross count (matched, received by vb)" $N "$(hist dev_hist count inum=$ib name=vb kind=cross)"
check "backlog: matcher matched" $N "$(hist latency cross_matched)"
check "backlog: netns B cross count" $N "$(hist netns_hist count inum=$ib kind=cross)"

ip netns exec "$B" ethtool -K vb gro on || die "gro on"
ip netns exec "$A" ethtool -K va tso off >/dev/null 2>&1
udp_send "$A" 10.88.0.2 5001 $M $S || die "send M"
wait_kstat "$B" vb rx_packets $((N + M)) || die "vb did not receive $M"
wait_cross $((N + M))
check "napi: va path_napi" $M "$(dev_ctr "$A" va path_napi)"
check "napi: vb cross count" $((N + M)) "$(hist dev_hist count inum=$ib name=vb kind=cross)"
check "matched total" $((N + M)) "$(hist latency cross_matched)"
check "rx_backlog hits (backlog deliveries matched)" $N "$(probe_field rx_backlog hits)"
check "rx_napi hits (NAPI deliveries matched)" $M "$(probe_field rx_napi hits)"
check "unmatched: evicted" 0 "$(hist latency cross_evicted)"
check "unmatched: aged" 0 "$(hist latency cross_aged)"
check "unmatched: busy" 0 "$(hist latency cross_busy)"
check "va cross count (nothing came back)" 0 "$(hist dev_hist count inum=$ia name=va kind=cross)"
check "json: vb cross count" $((N + M)) \
	"$(nsp_json latency --netns "$ib" --dev vb | jq -r '.histograms[] | select(.kind == "cross") | .count')"
check "json: bucket sum == count" $((N + M)) \
	"$(nsp_json latency --netns "$ib" --dev vb | jq -r '.histograms[] | select(.kind == "cross") | .buckets | add')"
check_cmd "text: p50 line" bash -c "'$NSPROBE' latency --dev vb | grep -q 'cross: count $((N + M)), avg .*p50'"

# A reset of B (format 1.2) zeroes B's histograms and leaves A's alone;
# B then counts from zero.
"$NSPROBE" reset --netns "$ib" >/dev/null || die "reset B"
check "reset B: vb cross count" 0 "$(hist dev_hist count inum=$ib name=vb kind=cross)"
check "reset B: netns B cross count" 0 "$(hist netns_hist count inum=$ib kind=cross)"
check "reset B: A's va xmit count kept" $((N + M)) "$(hist dev_hist count inum=$ia name=va kind=xmit)"
udp_send "$A" 10.88.0.2 5001 $K $S || die "send K"
wait_kstat "$B" vb rx_packets $((N + M + K)) || die "vb did not receive $K"
wait_cross $K
check "after reset: vb cross count" $K "$(hist dev_hist count inum=$ib name=vb kind=cross)"
check "after reset: netns B cross count" $K "$(hist netns_hist count inum=$ib kind=cross)"
check "after reset: json bucket sum (--netns by name)" $K \
	"$(nsp_json latency --netns "$B" --dev vb | jq -r '.histograms[] | select(.kind == "cross") | .buckets | add')"
sinks_stop
ns_cleanup
check "netns gone: no histogram left for B" "" "$(hist netns_hist count inum=$ib kind=cross)"
nsp_unload
check "dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
