# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Sourced by tests/host/run (its helpers, topology and $TMP): the Prometheus
# export. export --textfile and serve's /metrics must pass promtool check
# metrics; serve answers concurrent scrapes, survives the module going and
# coming back (a --debugfs tree that appears and disappears), drops the
# series of a netns deleted between scrapes, and exits 2 on a bad --listen
# and 11 on an address in use.

promcheck() { # <file>: promtool check metrics, which also lints names
	promtool check metrics <"$1"
}
# has <file> <grep -E pattern>
has() { grep -Eq -- "$2" "$1" || { echo "no line matching '$2' in $1"; return 1; }; }
hasnt() { ! grep -Eq -- "$2" "$1" || { echo "a line matches '$2' in $1:"; grep -E -- "$2" "$1" | head -3; return 1; }; }

NS1_INUM=$(inum "$NS1")

# ---- export -------------------------------------------------------------
mkdir "$TMP/textfile"
"$NSPROBE" --debugfs "$TMP/empty" export --textfile "$TMP/textfile" 2>"$TMP/export.err"
check "export --textfile without the module exits 0" eq 0 "$?"
check "  ... says on one stderr line that counters are unavailable" eq 1 "$(wc -l <"$TMP/export.err")"
check "  ... leaves exactly nsprobe.prom in the directory (no temp file)" \
	eq nsprobe.prom "$(ls -A "$TMP/textfile")"
check "  ... which is mode 0644" eq 644 "$(stat -c %a "$TMP/textfile/nsprobe.prom")"
P=$TMP/textfile/nsprobe.prom
check "  ... passes promtool check metrics" promcheck "$P"
check "  ... nsprobe_module_loaded 0" has "$P" '^nsprobe_module_loaded 0$'
check "  ... h1-$S link stats, peer_netns ns1 ($NS1_INUM)" \
	has "$P" "^nsprobe_link_tx_packets_total\\{netns=\"$HOST_INUM\",.*interface=\"h1-$S\",peer_netns=\"$NS1_INUM\"\\} [0-9]"
check "  ... ns1 exported with netns_name $NS1" \
	has "$P" "^nsprobe_netns_info\\{netns=\"$NS1_INUM\",netns_name=\"$NS1\",container_id=\"\",container_runtime=\"\"\\} 1$"
check "  ... no pid or ifindex label" hasnt "$P" '(pid|ifindex)='
"$NSPROBE" --debugfs "$TMP/empty" export --textfile "$TMP/textfile" --max-netns 1 2>/dev/null
check "export --max-netns 1: one netns, the tool's own" \
	eq "$HOST_INUM" "$(grep -E '^nsprobe_netns_info\{' "$P" | sed -E 's/.*netns="([0-9]+)".*/\1/' | xargs)"
check "  ... nsprobe_netns_omitted counts the others" has "$P" '^nsprobe_netns_omitted [1-9][0-9]*$'
for c in export "serve --listen 127.0.0.1:0"; do
	# shellcheck disable=SC2086 # $c is the command and its words
	timeout 10 "$NSPROBE" --debugfs "$TMP/empty" $c --max-netns -1 >/dev/null 2>"$TMP/err"
	check "$c --max-netns -1 is a usage error (exit 2), not no cap" eq 2 "$?"
	check "  ... naming --max-netns" has "$TMP/err" 'max-netns'
done
"$NSPROBE" --debugfs "$FIXTURES/v1_3" export >"$TMP/v13.prom" 2>/dev/null
check "export on the format 1.3 fixture exits 0" eq 0 "$?"
check "  ... passes promtool check metrics" promcheck "$TMP/v13.prom"
check "  ... nsprobe_module_loaded 1, probes armed" \
	has "$TMP/v13.prom" '^nsprobe_probe_state\{probe="veth_xmit",state="armed"\} 1$'
check "  ... SIGTERM dropped by init protection" \
	has "$TMP/v13.prom" '^nsprobe_signals_ignored_total\{netns="4026532201",.*signal="SIGTERM",reason="init"\} 2$'
"$NSPROBE" --debugfs "$TMP/empty" export --textfile "$TMP/no-such-dir" >/dev/null 2>"$TMP/err"
check "export --textfile <missing dir> exits 2" eq 2 "$?"
check "  ... with one line" eq 1 "$(grep -c . "$TMP/err")"

# ---- serve --------------------------------------------------------------
# start_serve <log> <args...>: starts serve on 127.0.0.1:0, sets SERVE_PID and
# URL from the "serving" line (at most 10 s).
start_serve() {
	local log=$1
	shift
	"$NSPROBE" "$@" serve --listen 127.0.0.1:0 --max-age 0 2>"$log" &
	SERVE_PID=$!
	URL=
	for _ in $(seq 200); do
		URL=$(sed -n 's|^nsprobe: serving \(http://127\.0\.0\.1:[1-9][0-9]*/metrics\)$|\1|p' "$log")
		[[ -n $URL ]] && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
stop_serve() {
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID"
	local rc=$?
	SERVE_PID=
	return $rc
}
scrape() { curl -sf --max-time 20 "$URL" -o "$1"; }

# The module tree appears and disappears under a --debugfs dir while serving.
mkdir -p "$TMP/dyn"
start_serve "$TMP/serve.err" --debugfs "$TMP/dyn"
check "serve --listen 127.0.0.1:0 starts and prints its URL" test -n "$URL"
scrape "$TMP/m1.prom"
check "  ... GET /metrics answers 200" eq 0 "$?"
check "  ... passes promtool check metrics" promcheck "$TMP/m1.prom"
check "  ... module missing: nsprobe_module_loaded 0" has "$TMP/m1.prom" '^nsprobe_module_loaded 0$'
check "  ... and still the interface metrics (h1-$S)" \
	has "$TMP/m1.prom" "^nsprobe_link_rx_bytes_total\\{.*interface=\"h1-$S\""
check "  ... Content-Type is the text format" \
	eval "curl -sf -o /dev/null -w '%{content_type}' '$URL' | grep -q '^text/plain'"

cp -r "$FIXTURES/v1_3/nsprobe" "$TMP/dyn/"
scrape "$TMP/m2.prom"
check "  ... module appears: nsprobe_module_loaded 1" has "$TMP/m2.prom" '^nsprobe_module_loaded 1$'
check "  ... with its counters (passes promtool)" promcheck "$TMP/m2.prom"
rm -rf "$TMP/dyn/nsprobe"
scrape "$TMP/m3.prom"
check "  ... module unloaded: answers, nsprobe_module_loaded 0" has "$TMP/m3.prom" '^nsprobe_module_loaded 0$'
check "  ... no module series left" hasnt "$TMP/m3.prom" '^nsprobe_(probe|signals|veth)_'

# Concurrent scrapes.
pids=()
for i in $(seq 8); do
	curl -sf --max-time 30 "$URL" -o "$TMP/c$i.prom" &
	pids+=($!)
done
bad=0
for i in $(seq 8); do
	wait "${pids[$((i - 1))]}" || bad=$((bad + 1))
	promtool check metrics <"$TMP/c$i.prom" >/dev/null 2>&1 || bad=$((bad + 1))
done
check "  ... 8 concurrent scrapes all answer, each passes promtool" eq 0 "$bad"

# A netns deleted between scrapes disappears.
ip netns add "pv-$S"
ip link add "pvh-$S" type veth peer name pvc netns "pv-$S"
PV=$(inum "pv-$S")
scrape "$TMP/m4.prom"
check "  ... a new netns pv-$S ($PV) has series" has "$TMP/m4.prom" "^nsprobe_netns_info\\{netns=\"$PV\",netns_name=\"pv-$S\""
ip netns del "pv-$S"
# The netns's series go when its bind mount does; its veth pair goes later,
# when cleanup_net() (a workqueue) destroys the netns: poll for each.
gone=no
for _ in $(seq 50); do
	scrape "$TMP/m5.prom"
	grep -q "netns=\"$PV\"" "$TMP/m5.prom" || { gone=yes; break; }
	sleep 0.1
done
check "  ... deleted: its series are gone from the next scrapes" eq yes "$gone"
for _ in $(seq 100); do
	grep -q "interface=\"pvh-$S\"" "$TMP/m5.prom" || break
	sleep 0.1
	scrape "$TMP/m5.prom"
done
check "  ... and so is its veth's host end, once the netns is destroyed" hasnt "$TMP/m5.prom" "interface=\"pvh-$S\""

# Bad --listen, address in use.
PORT=${URL#http://127.0.0.1:}
PORT=${PORT%/metrics}
"$NSPROBE" --debugfs "$TMP/empty" serve --listen "127.0.0.1:$PORT" >/dev/null 2>"$TMP/err"
check "serve on a port in use exits 11" eq 11 "$?"
check "  ... saying so on one line" grep -qx "nsprobe: --listen 127.0.0.1:$PORT: Address already in use (.*)" "$TMP/err"
for bad_listen in nope 127.0.0.1 127.0.0.1:99999 localhost:9750 :9750 '[::1' 127.0.0.1:x; do
	"$NSPROBE" --debugfs "$TMP/empty" serve --listen "$bad_listen" >/dev/null 2>"$TMP/err"
	check "serve --listen '$bad_listen' is a usage error (exit 2)" eq 2 "$?"
done
"$NSPROBE" --debugfs "$TMP/empty" serve >/dev/null 2>&1
check "serve without --listen is a usage error (exit 2)" eq 2 "$?"
stop_serve
check "serve exits 0 on SIGTERM" eq 0 "$?"
check "  ... and said why it stopped" grep -q "^nsprobe: serve: Terminated, stopping$" "$TMP/serve.err"

# ---- the example rules of docs/fleet.md ----------------------------------
check "docs/prometheus/nsprobe-rules.yml passes promtool check rules" \
	promtool check rules "$HERE/../../docs/prometheus/nsprobe-rules.yml"
# A container's first SIGTERM ignored by init: the series appears at 1, and
# the alert must fire all the same (the rules' own unit test).
check "  ... and its unit test (promtool test rules): a new series alerts" \
	sh -c 'cd "$1" && promtool test rules nsprobe-rules.test.yml' sh "$HERE/../../docs/prometheus"
