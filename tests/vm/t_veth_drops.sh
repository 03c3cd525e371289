#!/bin/bash
# Drops inside veth_xmit, and drops before it.
#
#   netns va-XXXX  va 10.88.0.1  <== veth ==>  vb 10.88.0.2 (mtu 1000)
#
# 1. vb's MTU is 1000: a frame longer than 1000 + 14 + 4 (is_skb_forwardable)
#    is dropped inside veth_xmit. K datagrams of 1200 bytes (1242-byte
#    frames) -> exactly K drops, all drop_mtu, equal to the kernel's TX
#    dropped delta of va; F datagrams of 900 bytes (942) all arrive.
# 2. vb down: va's carrier is off and veth_xmit is never called. One
#    ping -c1 (dynamic neighbour: ARP) -> nsprobe sees 0 packets and 0
#    drops; the kernel counts its own drops before the driver (3 on 6.12,
#    0 on 6.1), and the tool shows them beside nsprobe's.
# 3. Late load and reset (format 1.2, tx_dropped_base): K oversize frames
#    dropped while nsprobe is not loaded are not "drops before the driver":
#    the base is the device's TX dropped when its counters start (load,
#    reset), so drops_before_driver stays 0 through K2 more drops and a reset.
#    The same for what vb received before the load (format 1.7,
#    rx_packets_base): L datagrams are no packets "without veth_xmit".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
K=7 F=11 L=5

veth_setup
veth_pair A B
ip -n "$B" link set vb mtu 1000
udp_sink "$B" 5001
kd0=$(kstat "$A" va tx_dropped)
for ((i = 0; i < K; i++)); do
	udp_send "$A" 10.88.0.2 5001 1 1200 2>/dev/null	# ENOBUFS: dropped
done
udp_send "$A" 10.88.0.2 5001 $F 900 || die "send fitting datagrams"
wait_kstat "$B" vb rx_packets $F || die "vb did not receive $F"
kd=$(($(kstat "$A" va tx_dropped) - kd0))
check "kernel: va TX dropped delta" $K "$kd"
check "va drops == kernel TX dropped delta" "$kd" "$(dev_ctr "$A" va drops)"
check "va drop_mtu" $K "$(dev_ctr "$A" va drop_mtu)"
check "va drop_peer" 0 "$(dev_ctr "$A" va drop_peer)"
check "va drop_other" 0 "$(dev_ctr "$A" va drop_other)"
check "va tx_packets (K dropped + F delivered)" $((K + F)) "$(dev_ctr "$A" va tx_packets)"
check "va path_backlog (fitting ones)" $F "$(dev_ctr "$A" va path_backlog)"
check "netns A drops" $K "$(ns_ctr "$A" drops)"
check "json: va nsprobe drops" $K "$(show_dev "$(ns_inum "$A")" va .nsprobe.drops)"
check "json: va nsprobe drop_mtu" $K "$(show_dev "$(ns_inum "$A")" va .nsprobe.drop_mtu)"
sinks_stop
check "sink received only the fitting ones" "received $F $((F * 900))" "$(cat /tmp/sink-$B-5001)"

# 2. Peer down: drops before the driver.
ns_cleanup
veth_pair A B
ip -n "$A" neigh flush dev va
ip -n "$A" neigh del 10.88.0.2 dev va 2>/dev/null
ip -n "$B" link set vb down
# The carrier bit drops at once, but the qdisc is deactivated later by
# linkwatch (a workqueue, delayed up to 1 s here: va and vb both have
# ifindex 2, which makes the event non-urgent, linkwatch_urgent_event()).
# Until then a frame still reaches veth_xmit() and is dropped there. So wait
# for the operstate that linkwatch sets (under RTNL, just before
# dev_deactivate()), then take RTNL ourselves with a no-op change: it cannot
# be granted before linkwatch's dev_deactivate() is done.
for ((i = 0; i < 50; i++)); do
	[ "$(ip netns exec "$A" cat /sys/class/net/va/operstate 2>/dev/null)" = lowerlayerdown ] && break
	sleep 0.1
done
ip -n "$A" link set va mtu "$(ip netns exec "$A" cat /sys/class/net/va/mtu)"
kd0=$(kstat "$A" va tx_dropped)
ip netns exec "$A" ping -c1 -W2 10.88.0.2 >/dev/null 2>&1
# ARP retries run from a timer after ping returned: wait for them.
for ((i = 0; i < 60; i++)); do
	ip -n "$A" neigh show 10.88.0.2 | grep -qE 'FAILED|^$' && break
	[ -z "$(ip -n "$A" neigh show 10.88.0.2)" ] && break
	sleep 0.1
done
kd=$(($(kstat "$A" va tx_dropped) - kd0))
case $(uname -r) in
6.1.*) want_kd=0 ;;
*) want_kd=3 ;;
esac
check "kernel: TX dropped before the driver ($(uname -r | cut -d- -f1))" $want_kd "$kd"
check "peer down: va tx_packets at veth_xmit" 0 "$(dev_ctr "$A" va tx_packets)"
check "peer down: va drops at veth_xmit" 0 "$(dev_ctr "$A" va drops)"
check "json: va nsprobe drops" 0 "$(show_dev "$(ns_inum "$A")" va .nsprobe.drops)"
check "json: va kernel tx_dropped" "$kd" "$(show_dev "$(ns_inum "$A")" va .kernel_stats.tx_dropped)"
check "json: va drops before the driver" "$kd" "$(show_dev "$(ns_inum "$A")" va .drops_before_driver)"
check "debugfs: va tx_dropped_base (a new device)" 0 "$(dev_ctr "$A" va tx_dropped_base)"

# 3. Late load, then reset.
ns_cleanup
nsp_unload
veth_pair A B
ip -n "$B" link set vb mtu 1000
for ((i = 0; i < K; i++)); do
	udp_send "$A" 10.88.0.2 5001 1 1200 2>/dev/null	# dropped, nsprobe not loaded
done
check "late load: kernel va TX dropped before load" $K "$(kstat "$A" va tx_dropped)"
udp_send "$A" 10.88.0.2 5001 $L 100 || die "send before load"	# vb's RX grows unseen
check "late load: kernel vb RX before load" $L "$(kstat "$B" vb rx_packets)"
nsp_load
ia=$(ns_inum "$A") ib=$(ns_inum "$B")
# (format 1.7) rx_packets_base: what vb received before its counters
# started is no blind spot.
check "late load: vb rx_packets_base" $L "$(dev_ctr "$B" vb rx_packets_base)"
check "late load: vb rx_veth" 0 "$(dev_ctr "$B" vb rx_veth)"
check "late load: json vb rx_without_veth_xmit" 0 "$(show_dev "$ib" vb .rx_without_veth_xmit)"
udp_send "$A" 10.88.0.2 5001 3 100 || die "send after load"
wait_kstat "$B" vb rx_packets $((L + 3)) || die "vb did not receive 3 more"
check "late load: vb rx_veth (3 more)" 3 "$(dev_ctr "$B" vb rx_veth)"
check "late load: json vb rx_without_veth_xmit after 3 more" 0 "$(show_dev "$ib" vb .rx_without_veth_xmit)"
check "late load: va tx_dropped_base" $K "$(dev_ctr "$A" va tx_dropped_base)"
check "late load: json drops before the driver" 0 "$(show_dev "$ia" va .drops_before_driver)"
for ((i = 0; i < 2; i++)); do
	udp_send "$A" 10.88.0.2 5001 1 1200 2>/dev/null
done
check "late load: va drops (2 more)" 2 "$(dev_ctr "$A" va drops)"
check "late load: json drops before the driver after 2 more" 0 "$(show_dev "$ia" va .drops_before_driver)"
"$NSPROBE" reset --netns "$ia" >/dev/null || die "reset"
check "reset: va drops" 0 "$(dev_ctr "$A" va drops)"
check "reset: va tx_dropped_base" $((K + 2)) "$(dev_ctr "$A" va tx_dropped_base)"
check "reset: json drops before the driver" 0 "$(show_dev "$ia" va .drops_before_driver)"
check "reset: va rx_packets_base is va's RX now" "$(kstat "$A" va rx_packets)" "$(dev_ctr "$A" va rx_packets_base)"
check "reset: va rx_veth" 0 "$(dev_ctr "$A" va rx_veth)"
check "reset: json va rx_without_veth_xmit" 0 "$(show_dev "$ia" va .rx_without_veth_xmit)"

ns_cleanup
nsp_unload
check "dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
