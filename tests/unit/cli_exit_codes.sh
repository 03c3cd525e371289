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
expect 0 "signals --events on 1.4" --debugfs "$FIX/v1_4" signals --events
grep -q "\[netns gone 12 s ago\]" "$TMP/out" ||
	{ echo "FAIL: signals --events does not mark the dead netns' events"; FAILED=1; }
expect 0 "export on 1.4" --debugfs "$FIX/v1_4" export
grep -q '^nsprobe_postmortem_records 2$' "$TMP/out" ||
	{ echo "FAIL: export lacks nsprobe_postmortem_records"; FAILED=1; }
expect 2 "signals --why with --events" --debugfs "$FIX/why" signals --why 4026532301 --events
expect 2 "signals --all without --why" --debugfs "$FIX/why" signals --all
expect 0 "status on a newer minor" --debugfs "$FIX/minor_newer" status
expect 6 "status on a major mismatch" --debugfs "$FIX/major_mismatch" status
expect 6 "--debugfs after the subcommand" status --json --debugfs "$FIX/major_mismatch"
expect 1 "status on a malformed line" --debugfs "$FIX/bad_line" status
expect 3 "status without nsprobe/" --debugfs "$TMP" status
expect 3 "signals without nsprobe/" --debugfs "$TMP" signals
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
# Each subcommand's --help: an example, and a pointer to the table (once).
for c in status show signals reset watch latency serve export; do
	expect 0 "$c --help" "$c" --help
	grep -q "^  nsprobe $c " "$TMP/out" || { echo "FAIL: $c --help has no example"; FAILED=1; }
	grep -q "8  network namespace not found" "$TMP/out" &&
		{ echo "FAIL: $c --help repeats the exit-code table"; FAILED=1; }
done
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
