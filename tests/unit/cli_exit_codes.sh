#!/bin/bash
# The nsprobe CLI on fixture trees: exit codes and the one-line error format.
# No root needed. Usage: cli_exit_codes.sh <nsprobe> <tests/fixtures dir>
set -u
NSPROBE=$1
FIX=$2/debugfs
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILED=0

expect() { # <expected rc> <description> <args...>
	local want=$1 desc=$2
	shift 2
	"$NSPROBE" "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [[ $rc -ne $want ]]; then
		echo "FAIL: $desc: exit $rc, want $want"; cat "$TMP/err"; FAILED=1; return
	fi
	if [[ $want -ne 0 && $want -ne 2 ]]; then
		if [[ $(wc -l <"$TMP/err") -ne 1 ]] || ! grep -q '^nsprobe: .*: .*' "$TMP/err"; then
			echo "FAIL: $desc: stderr is not one 'nsprobe: <what>: <why>' line:"
			cat "$TMP/err"; FAILED=1; return
		fi
	fi
	echo "ok: $desc"
}

expect 0 "status on good" --debugfs "$FIX/good" status
expect 0 "status --json on good" --debugfs "$FIX/good" status --json
expect 0 "signals on good" --debugfs "$FIX/good" signals
expect 0 "signals --netns <inum> on good" --debugfs "$FIX/good" signals --netns 4026532201
expect 8 "signals --netns <unknown>" --debugfs "$FIX/good" signals --netns no-such-netns
expect 0 "signals --why <inum>" --debugfs "$FIX/why" signals --why 4026532301
grep -q "2.0 s later SIGKILL from pid 812 → delivered: killed" "$TMP/out" ||
	{ echo "FAIL: signals --why lacks the SIGKILL step"; FAILED=1; }
expect 0 "signals --why <inum> --all --json" --debugfs "$FIX/why" signals --why 4026532301 --all --json
expect 0 "signals --why on sig_events=0" --debugfs "$FIX/why_off" signals --why 4026532301
grep -q "sig_events=0" "$TMP/out" || { echo "FAIL: signals --why: sig_events=0 not said"; FAILED=1; }
expect 0 "signals --events on sig_events=0" --debugfs "$FIX/why_off" signals --events
grep -q "^the module keeps no signal events (loaded with sig_events=0)" "$TMP/out" ||
	{ echo "FAIL: signals --events: sig_events=0 not said"; FAILED=1; }
expect 8 "signals --why <inum without a ring>" --debugfs "$FIX/why" signals --why 4026539999
expect 8 "signals --why <no such netns>" --debugfs "$FIX/why" signals --why no-such-netns
# Format 1.4: dead netns. 4026532201 is both the live "blue" (cookie 4097)
# and a dead podman netns (cookie 12): ambiguous, never a guess.
expect 0 "signals --why <dead container prefix>" --debugfs "$FIX/v1_4" signals --why 0123abcd
grep -q "gone 12 s ago, at 2025-12-06 05:46:40 UTC" "$TMP/out" ||
	{ echo "FAIL: signals --why on a dead netns does not say it is gone"; FAILED=1; }
grep -q "from: podman container 0123abcd4567" "$TMP/out" ||
	{ echo "FAIL: signals --why on a dead netns lacks its container"; FAILED=1; }
expect 2 "signals --why <inum of a dead and a live netns>" --debugfs "$FIX/v1_4" signals --why 4026532201
grep -q "4026532201:12" "$TMP/err" || { echo "FAIL: ambiguous --why lacks INUM:COOKIE"; FAILED=1; }
expect 0 "signals --why INUM:COOKIE (dead)" --debugfs "$FIX/v1_4" signals --why 4026532201:12 --json
grep -q '"age_ns": 12000000000' "$TMP/out" || { echo "FAIL: --why --json lacks gone"; FAILED=1; }
expect 0 "signals --why INUM:COOKIE (live)" --debugfs "$FIX/v1_4" signals --why 4026532201:4097
grep -q "gone" "$TMP/out" && { echo "FAIL: the live netns' story says gone"; FAILED=1; }
expect 0 "signals --why <dead inum, no ring>" --debugfs "$FIX/v1_4" signals --why 4026532400
expect 0 "signals on 1.4" --debugfs "$FIX/v1_4" signals
grep -q "^netns 4026532201 cookie 12 (gone 12 s ago" "$TMP/out" ||
	{ echo "FAIL: signals lacks the dead netns"; FAILED=1; }
expect 0 "signals --netns <dead container prefix>" --debugfs "$FIX/v1_4" signals --netns 0123abcd
grep -q "^netns 4026532201 cookie 12 (gone" "$TMP/out" && [ "$(grep -c '^netns ' "$TMP/out")" = 1 ] ||
	{ echo "FAIL: signals --netns <dead container prefix> is not that netns alone"; FAILED=1; }
# One selector resolver everywhere: --events and show take a dead netns too.
expect 0 "signals --events --netns <dead container prefix>" --debugfs "$FIX/v1_4" signals --events --netns 0123abcd --json
[ "$(jq -r '[.rings[] | "\(.inum):\(.cookie)"] | join(",")' "$TMP/out")" = "4026532201:12" ] ||
	{ echo "FAIL: signals --events --netns <dead container prefix>: not its ring alone"; FAILED=1; }
expect 2 "signals --events --netns <inum of a dead and a live netns>" --debugfs "$FIX/v1_4" signals --events --netns 4026532201
grep -q "4026532201:12 (inode, gone 12 s ago)" "$TMP/err" && grep -q "4026532201:4097 (inode, live)" "$TMP/err" ||
	{ echo "FAIL: ambiguous --netns does not list both candidates"; cat "$TMP/err"; FAILED=1; }
expect 0 "show --netns INUM:COOKIE (dead)" --debugfs "$FIX/v1_4" show --netns 4026532201:12 --json
[ "$(jq -r '"\(.netns | length) \([.gone_netns[].cookie] | join(","))"' "$TMP/out")" = "0 12" ] ||
	{ echo "FAIL: show --netns INUM:COOKIE (dead): not that dead netns alone"; FAILED=1; }
# signals --events text: one block per netns with a header, the most
# recently active netns last, events in time order within a block. The
# fixture's netns are not the host's (but 4026531840 may be: its label is
# not checked), so a live one reads "unnamed".
expect 0 "signals --events on 1.4" --debugfs "$FIX/v1_4" signals --events
[ "$(grep '^netns ' "$TMP/out" | cut -d' ' -f2 | paste -sd' ')" = "4026532400:13 4026531840:1 4026532201:12 4026532201:4097" ] ||
	{ echo "FAIL: signals --events: netns blocks not in order"; cat "$TMP/out"; FAILED=1; }
grep -qx "netns 4026532201:12 (podman container 0123abcd4567, cgroup /machine.slice/libpod-0123abcd4567ef890123abcd4567ef890123abcd4567ef890123abcd4567ef89.scope/container): gone 12 s ago, at 2025-12-06 05:46:40 UTC, 2 events" "$TMP/out" ||
	{ echo "FAIL: signals --events: no header for the dead netns"; cat "$TMP/out"; FAILED=1; }
grep -qx "netns 4026532201:4097 (unnamed): live, 4 events" "$TMP/out" ||
	{ echo "FAIL: signals --events: no header for the live netns"; cat "$TMP/out"; FAILED=1; }
grep -qx "netns 4026532400:13 (cgroup unknown, container unknown): gone 3 s ago, at 2025-12-06 05:46:49 UTC, no event ring" "$TMP/out" ||
	{ echo "FAIL: signals --events: no header for the dead netns without a ring"; FAILED=1; }
grep -qx "  40.000000 conmon\[880\] netns 4026531840 -> my app\[901\] pid 1 in pidns 4026532310 netns 4026532201: SIGTERM ignored (init), process, forced: SIGTERM to PID 1 of netns 4026532201 ignored: PID 1 installed no handler; from outside its pid namespace only SIGKILL and SIGSTOP get through" "$TMP/out" ||
	{ echo "FAIL: signals --events: the dead netns' SIGTERM line"; FAILED=1; }
grep -q "1×" "$TMP/out" && { echo "FAIL: signals --events says 1×"; FAILED=1; }
[ "$(grep -c '^  [0-9]*\.[0-9]* ' "$TMP/out")" = 7 ] || { echo "FAIL: signals --events: not 7 events"; FAILED=1; }
# Filters, the same in text and JSON.
expect 0 "signals --events --signal KILL --signal 15" --debugfs "$FIX/v1_4" signals --events --signal KILL --signal 15
[ "$(grep -c '^  [0-9]*\.[0-9]* .*: SIG\(KILL\|TERM\) ' "$TMP/out") $(grep -c '^  [0-9]*\.[0-9]* ' "$TMP/out")" = "5 5" ] ||
	{ echo "FAIL: --signal KILL --signal 15: not the 5 SIGKILL/SIGTERM events"; cat "$TMP/out"; FAILED=1; }
grep -qx "netns 4026532201:4097 (unnamed): live, 3 of 4 events match the filters" "$TMP/out" ||
	{ echo "FAIL: --signal: the header does not say what the filters hid"; FAILED=1; }
grep -q "^netns 4026531840:1 " "$TMP/out" && { echo "FAIL: --signal: a netns without a match is shown"; FAILED=1; }
expect 0 "signals --events --json --signal KILL --signal 15" --debugfs "$FIX/v1_4" signals --events --json --signal KILL --signal 15
[ "$(jq -r '"\(.events | length) \(.rings | length) \([.events[].signo] | unique | join(","))"' "$TMP/out")" = "5 3 9,15" ] ||
	{ echo "FAIL: --signal in JSON: not the 5 events of the text"; FAILED=1; }
expect 0 "signals --events --exclude-signal sigkill" --debugfs "$FIX/v1_4" signals --events --exclude-signal sigkill --json
[ "$(jq -r '[.events[].signo] | join(",")' "$TMP/out")" = "14,15,13,15" ] ||
	{ echo "FAIL: --exclude-signal in JSON"; FAILED=1; }
expect 0 "signals --events --since 100d" --debugfs "$FIX/v1_4" signals --events --since 100d
[ "$(grep -c '^  [0-9]*\.[0-9]* ' "$TMP/out")" = 7 ] || { echo "FAIL: --since 100d hides events"; FAILED=1; }
# The fixture's events are 40 to 54 s after boot; this host booted longer ago.
if [ "$(cut -d. -f1 /proc/uptime)" -gt 120 ]; then
	expect 0 "signals --events --since 30s" --debugfs "$FIX/v1_4" signals --events --since 30s
	grep -qx "no event matches the filters (7 events kept)" "$TMP/out" ||
		{ echo "FAIL: --since 30s keeps events of long ago"; cat "$TMP/out"; FAILED=1; }
	expect 0 "signals --events --since 30s --json" --debugfs "$FIX/v1_4" signals --events --since 30s --json
	[ "$(jq '.events | length' "$TMP/out")" = 0 ] || { echo "FAIL: --since 30s in JSON"; FAILED=1; }
fi
expect 2 "signals --events --signal FOO" --debugfs "$FIX/v1_4" signals --events --signal FOO
grep -q "^nsprobe: --signal FOO: is not a signal (" "$TMP/err" || { echo "FAIL: --signal FOO not explained"; cat "$TMP/err"; FAILED=1; }
expect 2 "signals --events --exclude-signal 0" --debugfs "$FIX/v1_4" signals --events --exclude-signal 0
grep -q "^nsprobe: --exclude-signal 0: is not a signal (" "$TMP/err" || { echo "FAIL: --exclude-signal 0 not explained"; FAILED=1; }
expect 2 "signals --events --since 1.5s" --debugfs "$FIX/v1_4" signals --events --since 1.5s
grep -q "^nsprobe: --since 1.5s: is not a duration (a whole number and a unit" "$TMP/err" ||
	{ echo "FAIL: --since 1.5s not explained"; cat "$TMP/err"; FAILED=1; }
expect 2 "signals --signal without --events" --debugfs "$FIX/v1_4" signals --signal KILL
# The JSON of signals --events, whole, on every fixture with events.
for fx in why why_off v1_3 v1_4; do
	expect 0 "signals --events --json on $fx (golden)" --debugfs "$FIX/$fx" signals --events --json
	cmp -s "$TMP/out" "$2/golden/events_$fx.json" ||
		{ echo "FAIL: signals --events --json on $fx differs from golden/events_$fx.json"; diff "$2/golden/events_$fx.json" "$TMP/out" | head; FAILED=1; }
done
# latency text: labels with the cookie, bounds with units, the scope line,
# and "all devices" only for the netns of two devices.
expect 12 "latency on a module without latency=1" --debugfs "$FIX/good" latency
expect 0 "latency on why" --debugfs "$FIX/why" latency
head -1 "$TMP/out" | grep -qx "measured: the veth crossing only (xmit: time in veth_xmit(); cross: the peer's veth_xmit() entry to this device's backlog/NAPI receive); not measured: qdisc, IP/UDP/TCP stack and socket time" ||
	{ echo "FAIL: latency lacks the scope line"; head -1 "$TMP/out"; FAILED=1; }
grep -qx "@netns 4026532201:4097 (unnamed) dev c1 (ifindex 2) xmit: count 40, avg 3µs, p50 3.07µs, p90 3.89µs, p99 4.1µs" "$TMP/out" ||
	{ echo "FAIL: latency: the c1 xmit header"; cat "$TMP/out"; FAILED=1; }
grep -qx "\[2.05µs, 4.1µs)         40 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|" "$TMP/out" ||
	{ echo "FAIL: latency: the c1 xmit bucket"; FAILED=1; }
grep -qx "@netns 4026532201:4097 (unnamed) dev c1 (ifindex 2) cross: count 60, avg 10µs, p50 12.3µs, p90 15.6µs, p99 16.4µs" "$TMP/out" ||
	{ echo "FAIL: latency: the c1 cross header"; FAILED=1; }
[ "$(grep -c 'all devices' "$TMP/out")" = 1 ] && grep -q "^@netns 4026531840:1 (.*) all devices xmit: count 100," "$TMP/out" ||
	{ echo "FAIL: latency: 'all devices' is not the one of the two-device netns"; FAILED=1; }
[ "$(grep -c '^@' "$TMP/out")" = 5 ] || { echo "FAIL: latency: not 5 histograms"; FAILED=1; }
expect 0 "export on 1.4" --debugfs "$FIX/v1_4" export
grep -q '^nsprobe_postmortem_records 2$' "$TMP/out" ||
	{ echo "FAIL: export lacks nsprobe_postmortem_records"; FAILED=1; }
expect 2 "signals --why with --events" --debugfs "$FIX/why" signals --why 4026532301 --events
expect 2 "signals --all without --why" --debugfs "$FIX/why" signals --all
expect 0 "status on a newer minor" --debugfs "$FIX/minor_newer" status
expect 6 "status on a major mismatch" --debugfs "$FIX/major_mismatch" status
expect 6 "--debugfs after the subcommand" status --json --debugfs "$FIX/major_mismatch"
expect 1 "status on a malformed line" --debugfs "$FIX/bad_line" status
# A --debugfs DIR without nsprobe/ gets the default path's checks: a plain
# directory is not a debugfs mount (4), saying what is missing; a debugfs
# mount without nsprobe/ is exit 3 (tests/host/run mounts one).
expect 4 "status without nsprobe/ in a plain directory" --debugfs "$TMP" status
grep -qx "nsprobe: $TMP: not a debugfs mount (filesystem magic 0x[0-9a-f]*, debugfs is 0x64626720), and no nsprobe/ in it (give the debugfs mount point (--debugfs /sys/kernel/debug), or mount it there: mount -t debugfs none DIR)" "$TMP/err" ||
	{ echo "FAIL: status --debugfs <plain dir> does not say what is missing"; cat "$TMP/err"; FAILED=1; }
expect 4 "signals without nsprobe/ in a plain directory" --debugfs "$TMP" signals
expect 4 "status with a missing debugfs" --debugfs "$TMP/missing" status
NSPROBE_DEBUGFS="$FIX/major_mismatch" expect 6 "NSPROBE_DEBUGFS is honoured" status
expect 2 "no subcommand"
expect 2 "unknown subcommand" frobnicate
grep -qx "nsprobe: frobnicate: unknown command (commands: status, .*)" "$TMP/err" ||
	{ echo "FAIL: unknown subcommand not named"; cat "$TMP/err"; FAILED=1; }
expect 0 "--help" --help
grep -q "8  network namespace not found" "$TMP/out" || { echo "FAIL: --help lacks exit codes"; FAILED=1; }
grep -q "11 serve: the --listen address is already in use" "$TMP/out" ||
	{ echo "FAIL: --help lacks exit code 11"; FAILED=1; }
grep -q "12 the module runs without what was asked" "$TMP/out" ||
	{ echo "FAIL: --help lacks exit code 12"; FAILED=1; }
# Each subcommand's --help: an example, and a pointer to the table (once).
for c in status show signals reset watch latency serve export drops; do
	expect 0 "$c --help" "$c" --help
	grep -q "^  nsprobe $c " "$TMP/out" || { echo "FAIL: $c --help has no example"; FAILED=1; }
	grep -q "8  network namespace not found" "$TMP/out" &&
		{ echo "FAIL: $c --help repeats the exit-code table"; FAILED=1; }
done
# A --debugfs DIR/ with a trailing slash: one slash before nsprobe.
expect 0 "status --json with --debugfs DIR/" --debugfs "$FIX/good/" status --json
grep -qF "\"debugfs\": \"$FIX/good/nsprobe\"" "$TMP/out" ||
	{ echo "FAIL: --debugfs DIR/: counters.debugfs is not DIR/nsprobe"; grep debugfs "$TMP/out"; FAILED=1; }
# watch --help's footer is whole lines, none cut short mid-sentence.
expect 0 "watch --help" watch --help
grep -qx "interfaces (loopback left out); netns busiest first. NO_COLOR disables colour." "$TMP/out" ||
	{ echo "FAIL: watch --help: the rows sentence is cut"; cat "$TMP/out"; FAILED=1; }
# drops --help says since when each kernel counter counts: a netns's
# /proc/net/snmp counters since the netns was created, not since boot.
expect 0 "drops --help" drops --help
grep -qF "Kernel counters are cumulative: a qdisc's since it was created, a netns's IP/UDP/TCP counters since the netns was created, the neighbour tables' since boot (host-wide: all netns share them); nsprobe's since load or reset. Unknown is '-', never 0." "$TMP/out" ||
	{ echo "FAIL: drops --help: the counters' spans"; cat "$TMP/out"; FAILED=1; }
expect 0 "export on v1_3" --debugfs "$FIX/v1_3" export
grep -q '^nsprobe_module_loaded 1$' "$TMP/out" || { echo "FAIL: export lacks module_loaded 1"; FAILED=1; }
expect 0 "export without nsprobe/" --debugfs "$TMP" export
grep -q '^nsprobe_module_loaded 0$' "$TMP/out" || { echo "FAIL: export lacks module_loaded 0"; FAILED=1; }
expect 2 "export --textfile <missing dir>" --debugfs "$FIX/good" export --textfile "$TMP/missing"
expect 2 "serve without --listen" serve
expect 2 "serve --listen without a port" serve --listen 127.0.0.1
expect 2 "serve --listen with a host name" serve --listen localhost:9750
expect 2 "serve --listen port 65536" serve --listen 127.0.0.1:65536

"$NSPROBE" --debugfs "$FIX/major_mismatch" status --json >"$TMP/out" 2>/dev/null
grep -q '"reason": "format_version_mismatch"' "$TMP/out" ||
	{ echo "FAIL: status --json on mismatch lacks the reason"; FAILED=1; }
exit $FAILED
