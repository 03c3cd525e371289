#!/bin/bash
# nsprobe drops: each stage of the drop path, exact (issue 14 item 1).
#
#   netns va-XXXX  va 10.88.0.1  <== veth ==>  vb 10.88.0.2
#
# a. qdisc: a tbf on va with room for one packet; Q datagrams sent in one go.
#    The tool's root qdisc drops (drops, watch --wide, show --wide's
#    QDISC_DROP) == `tc -s` dropped, sink received + dropped
#    == Q, and A's Udp SndbufErrors == dropped (udp_send_skb counts each
#    -ENOBUFS from the qdisc and hides it without IP_RECVERR).
# b. neighbour: 10.88.0.99 on va has no owner; unres_qlen_bytes 0 and
#    mcast_solicit 1. N datagrams sent while the entry is INCOMPLETE: each new
#    one evicts the one queued (__neigh_event_send: unres_discards + 1), the
#    last is freed when the entry goes FAILED (neigh_invalidate: res_failed
#    + 1, the packet counted nowhere). So, host-wide: unres_discards + (N-1),
#    res_failed + 1.
# c. UDP receive buffer: a socket in B that never reads, SO_RCVBUF 4096; U
#    datagrams. RcvbufErrors of B (as the peer stack of va) == U - queued,
#    and InErrors the same.
# d. veth_xmit: vb's MTU 1000; K datagrams of 1200 bytes: drop_mtu == K.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
Q=40 N=9 U=60 K=7

veth_setup
veth_pair A B
inumA=$(ns_inum "$A") inumB=$(ns_inum "$B")

drops_json() {
	nsp_json drops --netns "$A" 2>/dev/null || echo '{"error": true}'
}
# va: a jq path of the interface va in `drops --netns A --json`
va() {
	jq -r "[.netns[] | select(.inum == $inumA) | .interfaces[] | select(.name == \"va\")]
	       | first | $1" <<<"$(drops_json)"
}
arp() {
	jq -r ".neighbour.tables[] | select(.name == \"arp_cache\") | .$1" <<<"$(drops_json)"
}

# watch_span NETNS CMD...: `watch --wide --json -i 2 --netns NETNS` around
# CMD, exactly: CMD starts after frame 1 is printed (its sample is taken),
# and the frames kept end with one sampled after CMD returned (the second
# frame printed after it: the first may have been sampled just before). So
# the frames 2.. hold all of CMD's drops and nothing before it. Leaves them,
# one JSON per line, in /tmp/watch-span.
watch_span() {
	local ns=$1 out=/tmp/watch-frames w n
	shift
	: >$out
	"$NSPROBE" watch --wide --json -i 2 --netns "$ns" >$out 2>/tmp/watch-err &
	w=$!
	wait_until 60 lines_ge $out 1 || die "watch printed no frame: $(cat /tmp/watch-err)"
	"$@" || die "watch_span: $* failed"
	n=$(wc -l <$out)
	wait_until 60 lines_ge $out $((n + 2)) || die "watch stopped: $(cat /tmp/watch-err)"
	kill $w
	wait $w 2>/dev/null
	head -n $((n + 2)) $out | tail -n +2 >/tmp/watch-span
}
# span_sum FIELD INUM: the packets behind FIELD (a per-second rate of netns
# INUM) over /tmp/watch-span: the sum of rate × interval of each frame, or
# "null" if a frame has no rate.
span_sum() {
	jq -rs "[.[] | .interval as \$i | .netns[] | select(.inum == $2) | .$1
		 | if . == null then null else . * \$i end]
		| if any(. == null) then \"null\" else add | round end" /tmp/watch-span
}

# a. tbf
udp_sink "$B" 5001
tc -n "$A" qdisc add dev va root handle 1: tbf rate 1mbit burst 1600 limit 1600 ||
	die "tc qdisc add tbf"
tbf_idle() { [ "$(tc -n "$A" -s qdisc show dev va root | sed -n 's/.*backlog \([0-9]*\)b.*/\1/p')" = 0 ]; }
send_tbf() {
	udp_send "$A" 10.88.0.2 5001 $Q 1000 || die "send over tbf"
	wait_until 20 tbf_idle || die "tbf backlog did not drain"
}
watch_span "$A" send_tbf
tcdrop=$(tc -n "$A" -s qdisc show dev va root | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p')
sinks_stop
recv=$(awk '{print $2}' /tmp/sink-$B-5001)
check "a: tbf dropped some (tc -s)" 1 "$((tcdrop > 0 && tcdrop < Q))"
check "a: tool qdisc drops == tc -s dropped" "$tcdrop" "$(va '.qdiscs[] | select(.root) | .drops')"
check "a: tool qdisc kind" "tbf 1:" "$(va '.qdiscs[] | select(.root) | "\(.kind) \(.handle)"')"
check "a: sink received + qdisc dropped == sent" $Q "$((recv + tcdrop))"
check "a: A Udp SndbufErrors == qdisc dropped" "$tcdrop" \
	"$(jq -r ".netns[0].stack.udp.SndbufErrors" <<<"$(drops_json)")"
check "a: watch QDISC_DROPS/S × interval == tc -s dropped" "$tcdrop" "$(span_sum qdisc_drops_ps $inumA)"
check "a: watch STACK_DROPS/S × interval (A's stack)" 0 "$(span_sum stack_drops_ps $inumA)"
check "a: watch DROPS/S × interval == qdisc dropped" "$tcdrop" "$(span_sum total_drops_ps $inumA)"
check_cmd "a: text shows the tbf line" \
	bash -c "'$NSPROBE' drops --netns '$A' | grep -q '^  qdisc       va tbf 1: root: dropped $tcdrop '"
check "a: show --wide: va QDISC_DROP == tc -s dropped" "$tcdrop" "$(show_wide_dev $inumA va .qdisc_drops)"
check "a: show --wide: vb QDISC_DROP (noqueue)" 0 "$(show_wide_dev $inumB vb .qdisc_drops)"
check "a: show without --wide: qdisc_drops unknown" null "$(show_dev $inumA va .qdisc_drops)"
check "a: show --wide text: va's QDISC_DROP cell" "$tcdrop" \
	"$("$NSPROBE" show --wide --netns "$A" | awk '$1 == "va" { print $(NF - 1) }')"
tc -n "$A" qdisc del dev va root || die "tc qdisc del"

# b. neighbour that fails
ip netns exec "$A" sysctl -qw net.ipv4.neigh.va.unres_qlen_bytes=0 || die "unres_qlen_bytes"
ip netns exec "$A" sysctl -qw net.ipv4.neigh.va.mcast_solicit=1 || die "mcast_solicit"
ip netns exec "$A" sysctl -qw net.ipv4.neigh.va.retrans_time_ms=2000 || die "retrans_time_ms"
rf0=$(arp res_failed) ud0=$(arp unres_discards)
udp_send "$A" 10.88.0.99 5003 $N 100 || die "send to the unresolved neighbour"
neigh_failed() { ip -n "$A" neigh show 10.88.0.99 dev va | grep -q FAILED; }
wait_until 20 neigh_failed || die "neighbour 10.88.0.99 did not fail"
check "b: arp res_failed + 1 (one entry failed)" 1 "$(($(arp res_failed) - rf0))"
check "b: arp unres_discards + (N-1)" $((N - 1)) "$(($(arp unres_discards) - ud0))"
check "b: neighbour scope is host" host "$(jq -r .neighbour.scope <<<"$(drops_json)")"

# c. full UDP receive buffer in B
ready=/tmp/ready-hold-$B
ip netns exec "$B" nsp-udp hold 5002 4096 "$ready" >/tmp/hold-$B 2>&1 &
hold=$!
wait_for_file "$ready"
rx0=$(kstat "$B" vb rx_packets)
send_hold() {
	udp_send "$A" 10.88.0.2 5002 $U 200 || die "send to the holding socket"
	wait_kstat "$B" vb rx_packets $((rx0 + U)) || die "vb did not receive $U"
}
watch_span "$B" send_hold
kill -TERM $hold
wait $hold
queued=$(awk '{print $2}' /tmp/hold-$B)
check "c: some queued, some not" 1 "$((queued > 0 && queued < U))"
check "c: peer Udp RcvbufErrors == sent - queued" $((U - queued)) "$(va .peer.stack.udp.RcvbufErrors)"
check "c: peer Udp InErrors == sent - queued" $((U - queued)) "$(va .peer.stack.udp.InErrors)"
check "c: peer Udp NoPorts (5003 never reached B)" 0 "$(va .peer.stack.udp.NoPorts)"
check "c: watch STACK_DROPS/S × interval (B) == sent - queued" $((U - queued)) \
	"$(span_sum stack_drops_ps $inumB)"
check "c: watch DROPS/S × interval (B) == sent - queued" $((U - queued)) \
	"$(span_sum total_drops_ps $inumB)"
check "c: watch QDISC_DROPS/S × interval (B, noqueue)" 0 "$(span_sum qdisc_drops_ps $inumB)"
check "c: watch BACKLOG_DROPS/S × interval (B)" 0 "$(span_sum backlog_drops_ps $inumB)"

# d. MTU drop in veth_xmit
ip -n "$B" link set vb mtu 1000
for ((i = 0; i < K; i++)); do
	udp_send "$A" 10.88.0.2 5001 1 1200 2>/dev/null	# ENOBUFS: dropped
done
check "d: veth_xmit drop_mtu" $K "$(va .veth_xmit.drop_mtu)"
check "d: veth_xmit drops" $K "$(va .veth_xmit.drops)"
check "d: backlog drop_backlog" 0 "$(va .backlog.drop_backlog)"
check "d: drops_before_driver" 0 "$(va .drops_before_driver)"

# Errors: a selector naming nothing is exit 8.
"$NSPROBE" drops --netns name:no-such-netns >/dev/null 2>&1
check "unknown --netns: exit 8" 8 $?

ns_cleanup
nsp_unload
check "dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
