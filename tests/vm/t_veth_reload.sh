#!/bin/bash
# Probe lifecycle: nsprobe loads before veth.ko; veth.ko is unloaded and
# loaded again. The veth_xmit probe goes pending -> armed -> gone -> armed
# without anyone touching nsprobe, each state with its reason, and counting
# resumes: exactly N datagrams, then exactly M.
#
#   netns va-XXXX  va 10.88.0.1  <== veth ==>  vb 10.88.0.2  netns vb-XXXX
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
N=40 M=25 S=100

veth_on_exit

modprobe -r veth 2>/dev/null
nsp_load
check "veth_xmit pending before veth.ko" pending "$(probe_field veth_xmit state)"
check "veth_xmit pending: reason" symbol_not_found "$(probe_field veth_xmit reason)"
check "veth_xmit pending: err" -2 "$(probe_field veth_xmit err)"
check "veth_fwd helper armed at load" armed_at_load "$(probe_field veth_fwd reason)"

veth_pair A B
check "veth_xmit armed once veth.ko loads" armed "$(probe_field veth_xmit state)"
check "veth_xmit armed: reason" armed_on_module_load "$(probe_field veth_xmit reason)"
udp_sink "$B" 5001
udp_send "$A" 10.88.0.2 5001 $N $S || die "send N"
wait_kstat "$B" vb rx_packets $N || die "vb did not receive $N"
check "first load: va tx_packets" $N "$(dev_ctr "$A" va tx_packets)"
check "first load: va tx_bytes" $((N * (S + 42))) "$(dev_ctr "$A" va tx_bytes)"
check "first load: va path_backlog" $N "$(dev_ctr "$A" va path_backlog)"
check "first load: va drops" 0 "$(dev_ctr "$A" va drops)"
sinks_stop
check "first load: sink received" "received $N $((N * S))" "$(cat /tmp/sink-$B-5001)"

ns_cleanup
for ((i = 0; i < 100; i++)); do
	modprobe -r veth 2>/dev/null && break
	sleep 0.1
done
check "veth.ko unloaded" "" "$(grep '^veth ' /proc/modules)"
check "veth_xmit gone after rmmod veth" gone "$(probe_field veth_xmit state)"
check "veth_xmit gone: reason" module_unloaded "$(probe_field veth_xmit reason)"

modprobe veth || die "modprobe veth"
check "veth_xmit re-armed on modprobe veth" armed "$(probe_field veth_xmit state)"
check "veth_xmit re-armed: reason" armed_on_module_load "$(probe_field veth_xmit reason)"
check "status --json: veth_xmit reason" armed_on_module_load \
	"$(nsp_json status | jq -r '.probes[] | select(.name == "veth_xmit") | .reason')"
veth_pair A B
udp_sink "$B" 5002
udp_send "$A" 10.88.0.2 5002 $M $S || die "send M"
wait_kstat "$B" vb rx_packets $M || die "vb did not receive $M"
check "after reload: va tx_packets" $M "$(dev_ctr "$A" va tx_packets)"
check "after reload: va path_backlog" $M "$(dev_ctr "$A" va path_backlog)"
check "after reload: vb tx_packets" 0 "$(dev_ctr "$B" vb tx_packets)"
check "veth_xmit nmissed" 0 "$(probe_field veth_xmit nmissed)"
sinks_stop
check "after reload: sink received" "received $M $((M * S))" "$(cat /tmp/sink-$B-5002)"

ns_cleanup
nsp_unload
check "dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
