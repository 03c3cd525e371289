#!/bin/bash
# Degraded states are visible, never misreported (issue 10, item 4).
#
#   netns va-XXXX  va 10.88.0.1  <== veth ==>  vb 10.88.0.2 (mtu 1000)
#
# Each veth helper is forced off in turn (module parameter hooks_off, state
# disabled, reason module_parameter), with latency=1 so that every helper is
# in use. Per load: K oversize datagrams (dropped in veth_xmit: drop_mtu when
# __dev_forward_skb is watched) and N that arrive through the backlog (GRO
# off on vb). The counters a helper feeds are then wrong in debugfs (checked:
# that is the degraded state); the tool must print them as unknown, "-" in
# text and null in JSON, say why once, and print every other counter exactly:
#   veth_fwd      every drop reason, both paths and rx_veth unknown; the crossing
#                 latency too (nothing is recorded); drops, tx_*, xmit exact
#   veth_backlog  drop_ring, drop_backlog, path_backlog, path_napi unknown
#   rx_backlog, rx_napi  the cross histograms unknown; every counter exact
# Then: counters-only mode (veth_paths=0: drops, their reasons, paths and
# requeued not collected, so unknown), no helper off (nothing unknown, no
# note), a helper named with its
# mode off (not_needed wins, nothing unknown), and an unknown name (the
# load fails).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
N=10 K=3 S=100 BIG=1200
DROP_REASONS="drop_peer drop_mtu drop_ring drop_backlog drop_other"

veth_on_exit
modprobe veth
veth_pair A B
ip -n "$B" link set vb mtu 1000
ip netns exec "$B" ethtool -K vb gro off >/dev/null 2>&1
ia=$(ns_inum "$A") ib=$(ns_inum "$B")
udp_sink "$B" 5001
sent=0	# datagrams vb received so far (the sink and vb's stats add up)

# traffic: K oversize datagrams (ENOBUFS: dropped in veth_xmit), N that
# arrive; waits until vb has them.
traffic() {
	local i
	for ((i = 0; i < K; i++)); do
		udp_send "$A" 10.88.0.2 5001 1 $BIG 2>/dev/null
	done
	udp_send "$A" 10.88.0.2 5001 $N $S || die "send $N"
	sent=$((sent + N))
	wait_kstat "$B" vb rx_packets $sent || die "vb did not receive $sent"
}

# snap: one read of show (JSON and text) and of latency --json after the
# traffic of a load (each run of the tool scans every process); js, cov,
# text_col, notes, drop_line and lat read it.
snap() {
	SHOW_JSON=$(nsp_json show 2>/dev/null) || SHOW_JSON="{\"ERR\": \"show exit $?\"}"
	SHOW_TEXT=$("$NSPROBE" show 2>&1) || SHOW_TEXT="ERR(show exit $?)"
	LAT_JSON=$(nsp_json latency 2>/dev/null) || LAT_JSON='{"ERR": "latency failed"}'
}

# js FIELD: va's .nsprobe.FIELD in show --json ("null" when unknown).
js() {
	jq -r --argjson inum "$ia" "[.netns[]? | select(.inum == \$inum) | .interfaces[]
		| select(.name == \"va\")] | if length == 0 then \"ERR(no va)\"
		else first | .nsprobe.$1 end" <<<"$SHOW_JSON" 2>&1
}

# cov JQ: a jq path of show --json's coverage.
cov() {
	jq -r ".coverage | $1" <<<"$SHOW_JSON" 2>&1
}

# text_col N: the Nth column from the end of va's row in the default show
# table (the PEER cell has spaces): 3 NSP_PATH_BACKLOG/NAPI, 2 NSP_DROPS.
text_col() {
	awk -v n="$1" '$1 == "va" { print $(NF - n + 1) }' <<<"$SHOW_TEXT"
}

# notes: the note lines of show (text); drop_line: va's drop reasons line.
notes() {
	grep '^note:' <<<"$SHOW_TEXT"
}
drop_line() {
	grep 'drops at veth_xmit: va ' <<<"$SHOW_TEXT"
}

# lat KIND DEV NS FIELD: FIELD of DEV's KIND histogram in latency --json;
# lat_cov: its coverage.unknown.
lat() {
	jq -r --arg k "$1" --arg d "$2" --argjson ns "$3" "[.histograms[]?
		| select(.kind == \$k and .scope == \"dev\" and .name == \$d and .inum == \$ns)]
		| if length == 0 then \"absent\" else first | .$4 end" <<<"$LAT_JSON" 2>&1
}
lat_cov() {
	jq -r '.coverage.unknown | join(",")' <<<"$LAT_JSON" 2>&1
}

# cross_count: vb's cross histogram count in debugfs.
cross_count() {
	raw_field latency dev_hist count inum="$ib" name=vb kind=cross
}

# cross_is N: polled by wait_until (the match runs in vb's softirq).
cross_is() {
	[ "$(cross_count)" = "$1" ]
}

# exact: what no helper changes.
exact() {
	check "$1: json va tx_packets" $((N + K)) "$(js tx_packets)"
	check "$1: json va tx_bytes" $((N * (S + 42) + K * (BIG + 42))) "$(js tx_bytes)"
	check "$1: json va drops" $K "$(js drops)"
	check "$1: json va requeued" 0 "$(js requeued)"
	check "$1: text va NSP_DROPS" $K "$(text_col 2)"
	check "$1: json va xmit histogram count" $((N + K)) "$(lat xmit va "$ia" count)"
	check "$1: json veth_xmit nmissed, nothing missed" "0 []" \
		"$(probe_field veth_xmit nmissed) $(cov '.missed | tojson')"
}

# ---- veth_fwd off ----------------------------------------------------------
nsp_load latency=1 hooks_off=veth_fwd
check "fwd: parameter" veth_fwd "$(cat /sys/module/nsprobe/parameters/hooks_off)"
check "fwd: probe state, reason" "disabled module_parameter" \
	"$(probe_field veth_fwd state) $(probe_field veth_fwd reason)"
check "fwd: the other helpers armed" "armed armed armed" \
	"$(probe_field veth_backlog state) $(probe_field rx_backlog state) $(probe_field rx_napi state)"
traffic
snap
exact fwd
# The degraded state itself: every drop reads drop_peer, no path is counted.
check "fwd: debugfs drop_peer (what the tool hides)" $K "$(dev_ctr "$A" va drop_peer)"
check "fwd: debugfs path_backlog (what the tool hides)" 0 "$(dev_ctr "$A" va path_backlog)"
for f in $DROP_REASONS path_backlog path_napi rx_veth; do
	check "fwd: json va $f unknown" null "$(js "$f")"
done
check "fwd: json va rx_without_veth_xmit unknown" null "$(show_dev "$ia" va .rx_without_veth_xmit)"
check "fwd: json coverage.unknown" "drop_peer,drop_mtu,drop_ring,drop_backlog,drop_other,path_backlog,path_napi,rx_veth" \
	"$(cov '.unknown | join(",")')"
check "fwd: json coverage.hooks" "veth_fwd __dev_forward_skb disabled module_parameter" \
	"$(cov '.hooks[] | "\(.hook) \(.symbol) \(.state) \(.reason)"')"
check "fwd: text va NSP_PATH_BACKLOG/NAPI" - "$(text_col 3)"
check "fwd: text drop reasons" "  drops at veth_xmit: va $K (peer -, mtu -, ring -, backlog -, other -)" \
	"$(drop_line)"
check "fwd: text note, once" "note: veth_fwd (__dev_forward_skb) is not armed (state disabled, reason module_parameter): drop_peer, drop_mtu, drop_ring, drop_backlog, drop_other, path_backlog, path_napi, rx_veth unknown, shown as -" \
	"$(notes)"
check "fwd: status note (every field, cross too)" "note: veth_fwd (__dev_forward_skb) is not armed (state disabled, reason module_parameter): drop_peer, drop_mtu, drop_ring, drop_backlog, drop_other, path_backlog, path_napi, rx_veth, cross unknown" \
	"$("$NSPROBE" status | grep '^note:')"
check "fwd: json vb cross count unknown" null "$(lat cross vb "$ib" count)"
check "fwd: json latency coverage" cross "$(lat_cov)"
check "fwd: text vb cross" "count -" \
	"$("$NSPROBE" latency --dev vb | grep -o 'vb (ifindex [0-9]*) cross: count -' | grep -o 'count -')"
check "fwd: debugfs vb cross count (nothing recorded)" 0 "$(cross_count)"
nsp_unload

# ---- veth_backlog off ------------------------------------------------------
nsp_load latency=1 hooks_off=veth_backlog
check "backlog: probe state, reason" "disabled module_parameter" \
	"$(probe_field veth_backlog state) $(probe_field veth_backlog reason)"
traffic
wait_until 10 cross_is $N
snap
exact backlog
check "backlog: debugfs path_napi (what the tool hides)" $N "$(dev_ctr "$A" va path_napi)"
for f in drop_ring drop_backlog path_backlog path_napi; do
	check "backlog: json va $f unknown" null "$(js "$f")"
done
check "backlog: json va drop_mtu" $K "$(js drop_mtu)"
check "backlog: json va drop_peer" 0 "$(js drop_peer)"
check "backlog: json va drop_other" 0 "$(js drop_other)"
check "backlog: json coverage.unknown" "drop_ring,drop_backlog,path_backlog,path_napi" \
	"$(cov '.unknown | join(",")')"
check "backlog: text va NSP_PATH_BACKLOG/NAPI" - "$(text_col 3)"
check "backlog: text drop reasons" "  drops at veth_xmit: va $K (mtu $K, ring -, backlog -)" \
	"$(drop_line)"
check "backlog: text note, once" "note: veth_backlog (enqueue_to_backlog) is not armed (state disabled, reason module_parameter): drop_ring, drop_backlog, path_backlog, path_napi unknown, shown as -" \
	"$(notes)"
check "backlog: json vb cross count (exact)" $N "$(lat cross vb "$ib" count)"
check "backlog: json latency coverage" "" "$(lat_cov)"
nsp_unload

# ---- rx_backlog, rx_napi off -----------------------------------------------
for hook in rx_backlog rx_napi; do
	nsp_load latency=1 hooks_off=$hook
	check "$hook: probe state, reason" "disabled module_parameter" \
		"$(probe_field $hook state) $(probe_field $hook reason)"
	traffic
	snap
	exact $hook
	check "$hook: json va path_backlog" $N "$(js path_backlog)"
	check "$hook: json va path_napi" 0 "$(js path_napi)"
	check "$hook: json va drop_mtu" $K "$(js drop_mtu)"
	check "$hook: text va NSP_PATH_BACKLOG/NAPI" "$N/0" "$(text_col 3)"
	check "$hook: json show coverage.unknown" "" "$(cov '.unknown | join(",")')"
	check "$hook: no note in show" "" "$(notes)"
	check "$hook: json vb cross count unknown" null "$(lat cross vb "$ib" count)"
	check "$hook: json vb cross buckets unknown" null "$(lat cross vb "$ib" buckets)"
	check "$hook: json latency coverage" "cross $hook module_parameter" \
		"$(jq -r '"\(.coverage.unknown | join(",")) \(.coverage.hooks[] | "\(.hook) \(.reason)")"' <<<"$LAT_JSON")"
	sym=$(probe_field $hook symbol)
	check "$hook: text latency note" "note: $hook ($sym) is not armed (state disabled, reason module_parameter): crossing latency (cross histograms) unknown" \
		"$("$NSPROBE" latency | grep '^note:')"
	nsp_unload
done

# ---- nothing off; a helper named whose mode is off; a wrong name -----------
nsp_load latency=1
traffic
wait_until 10 cross_is $N
snap
exact none
check "none: json va path_backlog" $N "$(js path_backlog)"
check "none: json vb cross count" $N "$(lat cross vb "$ib" count)"
check "none: json coverage" '{"hooks":[],"missed":[],"unknown":[]}' "$(cov tojson)"
check "none: no note" "" "$(notes)"
nsp_unload

# Counters-only mode: veth_xmit is an entry kprobe; drops, their reasons, the
# paths and requeued are not collected (0 in debugfs) and the tool says
# unknown; tx_* stay exact.
nsp_load veth_paths=0
check "counters: veth_xmit kind, helpers not needed" "kprobe not_needed not_needed" \
	"$(probe_field veth_xmit kind) $(probe_field veth_fwd reason) $(probe_field veth_backlog reason)"
traffic
snap
check "counters: json va tx_packets" $((N + K)) "$(js tx_packets)"
check "counters: json va tx_bytes" $((N * (S + 42) + K * (BIG + 42))) "$(js tx_bytes)"
check "counters: debugfs drops (what the tool hides)" 0 "$(dev_ctr "$A" va drops)"
for f in drops $DROP_REASONS path_backlog path_napi requeued rx_veth; do
	check "counters: json va $f unknown" null "$(js "$f")"
done
check "counters: json va rx_without_veth_xmit unknown" null "$(show_dev "$ia" va .rx_without_veth_xmit)"
check "counters: json coverage.hooks" "veth_xmit counters_only" \
	"$(cov '.hooks[] | "\(.hook) \(.reason)"')"
check "counters: text va NSP_DROPS, NSP_PATH_BACKLOG/NAPI" "- -" "$(text_col 2) $(text_col 3)"
check "counters: text note, once" "note: counters-only mode (veth_paths=0): veth_xmit is an entry kprobe, so drops, drop_peer, drop_mtu, drop_ring, drop_backlog, drop_other, path_backlog, path_napi, requeued, rx_veth are not collected, shown as -" \
	"$(notes)"
nsp_unload

nsp_load hooks_off=rx_napi	# latency off: rx_napi is not needed anyway
check "not needed: rx_napi state, reason" "disabled not_needed" \
	"$(probe_field rx_napi state) $(probe_field rx_napi reason)"
snap
check "not needed: json coverage.unknown" "" "$(cov '.unknown | join(",")')"
nsp_unload

check "unknown hook name: load fails" 1 "$(insmod "$NSP_KO" hooks_off=veth_fwd,bogus 2>/dev/null; echo $?)"
check "unknown hook name: not loaded" 0 "$(grep -c '^nsprobe ' /proc/modules)"
check "unknown hook name: said in the log" 1 \
	"$(dmesg | grep -c "nsprobe: hooks_off: unknown hook 'bogus'")"

sinks_stop
check "sink received" "received $sent $((sent * S))" "$(cat /tmp/sink-$B-5001)"
ns_cleanup
check "dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
