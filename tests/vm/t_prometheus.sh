#!/bin/bash
# vm-kernels: 6.12
# A real Prometheus (issue 11, item 2). Debian's prometheus server scrapes
# "nsprobe serve" every second; node_exporter's textfile collector reads
# "nsprobe export --textfile". After N datagrams over a veth pair and K
# SIGTERMs that a container's PID 1 drops (init protection), PromQL through
# Prometheus's HTTP API, and node_exporter's /metrics, give exactly N and K
# for the container's netns. Then the container's netns dies: its series go,
# and the node's families (format 1.5, no netns label) still hold its K
# SIGTERMs and the SIGKILL that ended its init.
#
#   guest init netns                          netns prom-XXXX ("container")
#   vhN 10.66.0.1/24 <====== veth ======>     vc 10.66.0.2/24
#   nsp-udp sink :5003                        nsp-udp send, N datagrams
#   kill -TERM, K times  ------------------>  PID 1 of a new pid ns
#                                             (nsp-sigtarget, SIGTERM SIG_DFL)
#   nsprobe serve 127.0.0.1:<free port>  <--- prometheus 127.0.0.1:9090
#                                             scrape_interval 1s
#   nsprobe export --textfile DIR        <--- node_exporter 127.0.0.1:9100
#
# IPv6 is off and the neighbours are static, so the only frames on the veth
# are ours. Two rounds: the counts as first scraped, then after more
# traffic and signals, so the series follow the counters. A sample is read
# only once it is fresh: Prometheus's newest successful scrape of nsprobe
# (timestamp(up == 1), the scrape's start) began after the traffic and the
# signals were done, and serve runs with --max-age 0 so that scrape built
# its own snapshot.
#
# The "# vm-kernels:" line above: tests/vm/guest-suite runs this test only
# on the kernels it names when the whole suite runs (Prometheus and
# node_exporter start slowly under TCG; what they read is the same
# user-space export on every kernel). Named on the command line it runs on
# any kernel.
. "$(dirname "$0")/lib.sh"
[ -n "${NSP_TRACE:-}" ] && set -x
N1=40 K1=3	# first round
N2=25 K2=2	# second round, added
S=64		# datagram payload bytes
PROM_ADDR=127.0.0.1:9090
NODE_ADDR=127.0.0.1:9100
vh=vh$RANDOM
work=/tmp/t_prometheus.$$
mkdir -p "$work/tsdb" "$work/textfile"

pids=()	# every process this test starts, stopped on exit
init='' sink=''
cleanup() {
	# unshare --fork blocks SIGTERM until its child, the init, is gone;
	# SIGKILL from this (an ancestor) pid namespace ends the init.
	[ -n "$init" ] && kill -KILL "$init" 2>/dev/null
	[ -n "$sink" ] && kill -TERM "$sink" 2>/dev/null
	[ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null
	local p
	for p in "${pids[@]}"; do wait_gone "$p" 20 || kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip link del "$vh" 2>/dev/null
	ns_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
	modprobe -r veth 2>/dev/null
	rm -rf "$work"
}
on_exit cleanup

# ---- the scene ---------------------------------------------------------
modprobe -r veth 2>/dev/null
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
nsp_load
modprobe veth

ns_new ctr prom	# sets ctr
# shellcheck disable=SC2154
in=$(ns_inum "$ctr")
ip link add "$vh" type veth peer name vc netns "$ctr" || die "ip link add"
ip addr add 10.66.0.1/24 dev "$vh"
ip -n "$ctr" addr add 10.66.0.2/24 dev vc
ip link set "$vh" up
ip -n "$ctr" link set vc up
ip neigh replace 10.66.0.2 lladdr "$(ip -n "$ctr" -br link show vc | awk '{print $3}')" dev "$vh" nud permanent
ip -n "$ctr" neigh replace 10.66.0.1 lladdr "$(ip -br link show "$vh" | awk '{print $3}')" dev vc nud permanent

# The container's PID 1: no handler for any signal (lib_sig.sh's
# start_pidns_init, without its library).
rm -f "$work/init.ready"
ip netns exec "$ctr" unshare --pid --fork nsp-sigtarget "$work/init.ready" \
	</dev/null >/dev/null 2>&1 &
pids+=($!)
wait_for_file "$work/init.ready"
init=$(pgrep -P "${pids[-1]}" -x nsp-sigtarget)
[ -n "$init" ] || die "no init in $ctr"

nsp-udp sink 5003 "$work/sink.ready" </dev/null >"$work/sink.out" 2>&1 &
sink=$!
wait_for_file "$work/sink.ready"

# ---- nsprobe serve and Prometheus --------------------------------------
"$NSPROBE" serve --listen 127.0.0.1:0 --max-age 0 2>"$work/serve.err" &
pids+=($!)
serve_url() { sed -n 's|^nsprobe: serving http://\(127\.0\.0\.1:[1-9][0-9]*\)/metrics$|\1|p' "$work/serve.err"; }
has_serve_url() { [ -n "$(serve_url)" ]; }
wait_until 30 has_serve_url || die "nsprobe serve printed no URL: $(cat "$work/serve.err")"
SERVE_ADDR=$(serve_url)
echo "  (at $SECONDS s: module, scene and nsprobe serve up)"

cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: nsprobe
    static_configs:
      - targets: ['$SERVE_ADDR']
EOF
t0=$SECONDS
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address="$PROM_ADDR" </dev/null >"$work/prometheus.log" 2>&1 &
prom=$!
pids+=("$prom")
prom_ready() { curl -sf --max-time 5 -o /dev/null "http://$PROM_ADDR/-/ready"; }
wait_until 120 prom_ready || { tail -n 20 "$work/prometheus.log"; die "Prometheus not ready in 120 s"; }
echo "  (Prometheus ready after $((SECONDS - t0)) s)"

# prom_q QUERY [TIME]: the value of the one series an instant query
# (evaluated at TIME, default now) returns; ERR(...) when the request fails
# or the result is not exactly one series.
prom_q() {
	local out
	out=$(curl -sf --max-time 10 -G "http://$PROM_ADDR/api/v1/query" \
		--data-urlencode "query=$1" ${2:+--data-urlencode "time=$2"}) ||
		{ echo "ERR(curl exit $?)"; return 2; }
	jq -r 'if .status != "success" then "ERR(status \(.status): \(.error))"
		elif (.data.result | length) != 1 then "ERR(\(.data.result | length) series)"
		else .data.result[0].value[1] end' <<<"$out" || { echo "ERR(jq)"; return 2; }
}
# scraped_after T: the newest scrape of nsprobe started after T (seconds
# since the epoch, the guest's clock, which Prometheus shares) and
# succeeded; its timestamp goes into $at. Every query of the round is then
# evaluated at $at, so all read that one scrape (timestamp() of a plain
# selector is the sample's own timestamp, the scrape's start).
at=
scraped_after() {
	local ts
	ts=$(prom_q 'timestamp(up{job="nsprobe"})') || return 1
	awk -v ts="$ts" -v t="$1" 'BEGIN { exit !(ts > t) }' || return 1
	[ "$(prom_q 'up{job="nsprobe"}' "$ts")" = 1 ] || return 1
	at=$ts
}
now() { date +%s.%3N; }

# send N K: N datagrams from the container to the host, K SIGTERMs to the
# container's PID 1; returns once the host received them all (the receive
# side runs in softirq) and the init is still alive.
sent=0
send() {
	ip netns exec "$ctr" nsp-udp send 10.66.0.1 5003 "$1" $S || die "send from the container"
	sent=$((sent + $1))
	wait_counter "/sys/class/net/$vh/statistics/rx_packets" $sent ||
		die "the host did not receive $sent datagrams"
	local i
	for ((i = 0; i < $2; i++)); do kill -TERM "$init" || die "kill -TERM $init"; done
	kill -0 "$init" || die "the container's init died of SIGTERM"
}

# round TAG N K: what Prometheus says once its sample is fresh
round() {
	local tag=$1 n=$2 k=$3 t
	t=$(now)
	t0=$SECONDS
	at=
	wait_until 60 scraped_after "$t" || echo "  (no successful scrape started after $t within 60 s)"
	echo "  (fresh sample after $((SECONDS - t0)) s, scrape at $at; scrapes so far $(prom_q 'count_over_time(up{job="nsprobe"}[1h])' "$at"), successful $(prom_q 'sum_over_time(up{job="nsprobe"}[1h])' "$at"), this one took $(prom_q 'scrape_duration_seconds{job="nsprobe"}' "$at") s)"
	check "$tag: a successful scrape started after the sends" yes "${at:+yes}"
	check "$tag: veth_tx_packets_total{netns=\"$in\",interface=\"vc\"}" "$n" \
		"$(prom_q "nsprobe_veth_tx_packets_total{netns=\"$in\",interface=\"vc\"}" "$at")"
	check "$tag: veth_tx_bytes_total{netns=\"$in\",interface=\"vc\"}" $((n * (S + 42))) \
		"$(prom_q "nsprobe_veth_tx_bytes_total{netns=\"$in\",interface=\"vc\"}" "$at")"
	check "$tag: netns_tx_packets_total{netns=\"$in\"}" "$n" \
		"$(prom_q "nsprobe_netns_tx_packets_total{netns=\"$in\"}" "$at")"
	check "$tag: host $vh tx_packets_total (nothing back)" 0 \
		"$(prom_q "nsprobe_veth_tx_packets_total{interface=\"$vh\"}" "$at")"
	check "$tag: signals_ignored_total{netns=\"$in\",signal=\"SIGTERM\",reason=\"init\"}" "$k" \
		"$(prom_q "nsprobe_signals_ignored_total{netns=\"$in\",signal=\"SIGTERM\",reason=\"init\"}" "$at")"
	check "$tag: signals_generated_total{netns=\"$in\",signal=\"SIGTERM\"}" "$k" \
		"$(prom_q "nsprobe_signals_generated_total{netns=\"$in\",signal=\"SIGTERM\"}" "$at")"
	check "$tag: SIGTERMs ignored for a reason other than init" 0 \
		"$(prom_q "sum(nsprobe_signals_ignored_total{netns=\"$in\",signal=\"SIGTERM\",reason!=\"init\"}) or vector(0)" "$at")"
	# (format 1.5) The node's, without a netns label: this test's only
	# init-protected SIGTERMs since the module loaded.
	check "$tag: node_signals_ignored_total{signal=\"SIGTERM\",reason=\"init\"}" "$k" \
		"$(prom_q "nsprobe_node_signals_ignored_total{signal=\"SIGTERM\",reason=\"init\"}" "$at")"
}

send $N1 $K1
round "prometheus 1" $N1 $K1
send $N2 $K2
round "prometheus 2" $((N1 + N2)) $((K1 + K2))
# Prometheus is done: its scrapes and TSDB would only slow what follows
# under TCG.
kill -TERM "$prom"
wait_gone "$prom" 30
check "Prometheus stopped on SIGTERM" 0 "$?"
keep=()
for p in "${pids[@]}"; do [ "$p" = "$prom" ] || keep+=("$p"); done
pids=("${keep[@]}")

# ---- node_exporter over nsprobe export --textfile ----------------------
t0=$SECONDS
prometheus-node-exporter --web.listen-address="$NODE_ADDR" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$work/textfile" \
	</dev/null >"$work/node.log" 2>&1 &
pids+=($!)
node_up() { curl -sf --max-time 5 -o /dev/null "http://$NODE_ADDR/metrics"; }
wait_until 60 node_up || { tail -n 20 "$work/node.log"; die "node_exporter not up in 60 s"; }
echo "  (node_exporter up after $((SECONDS - t0)) s)"

"$NSPROBE" export --textfile "$work/textfile"
check "export --textfile exits 0" 0 "$?"
curl -sf --max-time 10 -o "$work/node.prom" "http://$NODE_ADDR/metrics"
check "node_exporter /metrics answers" 0 "$?"

# expo FILE METRIC LABEL=VALUE...: the value of the one series of METRIC in
# the exposition text FILE that has every LABEL="VALUE"; ERR(...) unless
# exactly one matches. (node_exporter sorts labels by name.)
expo() {
	local file=$1 metric=$2
	shift 2
	awk -v metric="$metric" -v want="$*" '
		index($0, metric " ") == 1 { lab = ""; val = $2 }
		index($0, metric "{") == 1 {
			lab = substr($0, length(metric) + 2)
			val = substr(lab, index(lab, "} ") + 2)
			lab = substr(lab, 1, index(lab, "} ") - 1)
		}
		index($0, metric " ") != 1 && index($0, metric "{") != 1 { next }
		{
			delete kv
			n = split(lab, l, ",")
			for (i = 1; i <= n; i++) {
				eq = index(l[i], "=")
				kv[substr(l[i], 1, eq - 1)] = substr(l[i], eq + 2, length(l[i]) - eq - 2)
			}
			n = split(want, w, " ")
			for (i = 1; i <= n; i++) {
				eq = index(w[i], "=")
				if (kv[substr(w[i], 1, eq - 1)] != substr(w[i], eq + 1)) next
			}
			found++
			v = val
		}
		END {
			if (found == 1) print v
			else { printf "ERR(%d series of %s)\n", found, metric; exit 1 }
		}' "$file"
}
N=$((N1 + N2)) K=$((K1 + K2))
check "node_exporter: node_textfile_scrape_error" 0 "$(expo "$work/node.prom" node_textfile_scrape_error)"
check "node_exporter: veth_tx_packets_total{netns=\"$in\",interface=\"vc\"}" $N \
	"$(expo "$work/node.prom" nsprobe_veth_tx_packets_total netns="$in" interface=vc)"
check "node_exporter: netns_tx_packets_total{netns=\"$in\"}" $N \
	"$(expo "$work/node.prom" nsprobe_netns_tx_packets_total netns="$in")"
check "node_exporter: signals_ignored_total{...,SIGTERM,init}" $K \
	"$(expo "$work/node.prom" nsprobe_signals_ignored_total netns="$in" signal=SIGTERM reason=init)"
check "node_exporter: signals_generated_total{...,SIGTERM}" $K \
	"$(expo "$work/node.prom" nsprobe_signals_generated_total netns="$in" signal=SIGTERM)"
check "node_exporter: netns_name of netns $in" 1 \
	"$(expo "$work/node.prom" nsprobe_netns_info netns="$in" netns_name="$ctr")"

# ---- the end -----------------------------------------------------------
echo "  (at $SECONDS s: checks done)"
kill -TERM "$sink"
wait "$sink"
sink=
check "the host's sink received every datagram" "received $N $((N * S))" "$(cat "$work/sink.out")"
kill -KILL "$init"	# then its unshare exits
init=
kill -TERM "${pids[@]}" 2>/dev/null
left=0
for p in "${pids[@]}"; do wait_gone "$p" 20 || left=$((left + 1)); done
check "serve, Prometheus, node_exporter and the init stopped" 0 "$left"
echo "  (at $SECONDS s: all stopped)"
pids=()
wait 2>/dev/null
ip link del "$vh"

# ---- the container's netns dies: what stays (format 1.5) ---------------
# Its series go; the node's families keep its counts: K init-protected
# SIGTERMs, and the one SIGKILL from the host (an ancestor pid namespace)
# that ended its init, the only SIGKILL of this test.
ip netns del "$ctr"
netns_dead() { ! grep -q "^netns inum=$in " "$NSP_DEBUGFS/netns"; }
wait_until 30 netns_dead || echo "  (netns $in still in the module's netns file after 30 s)"
"$NSPROBE" export >"$work/after.prom"
check "container gone: export exits 0" 0 "$?"
check "container gone: series of netns $in" 0 "$(grep -c "netns=\"$in\"" "$work/after.prom")"
check "container gone: node_signals_ignored_total{SIGTERM,init}" $K \
	"$(expo "$work/after.prom" nsprobe_node_signals_ignored_total signal=SIGTERM reason=init)"
check "container gone: node_signals_delivered_total{SIGKILL,term}" 1 \
	"$(expo "$work/after.prom" nsprobe_node_signals_delivered_total signal=SIGKILL outcome=term)"
check "container gone: node_sig record of SIGTERM, ignored_init" "ignored_init=$K" \
	"$(grep -o '^node_sig signo=15 .*' "$NSP_DEBUGFS/signals" | grep -o ' ignored_init=[0-9]*' | tr -d ' ')"
check "container gone: signals --json node_signals SIGTERM ignored_init" $K \
	"$("$NSPROBE" signals --json | jq '.node_signals[] | select(.name == "SIGTERM") | .ignored_init')"
nsp_unload
check "nsprobe unloaded" "" "$(grep '^nsprobe ' /proc/modules)"
nsp_summary
