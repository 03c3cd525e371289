# shellcheck shell=bash
# Helpers for nsprobe's VM tests. Source it from a test running in the guest
# (scripts/vm-run). Provides:
#   check NAME EXPECTED ACTUAL   one aligned "ok"/"FAIL" line, counted
#   nsp_load [PARAMS] / nsp_unload
#   ns_new VAR PREFIX            a fresh netns with a unique name, IPv6 off;
#                                its name goes into VAR
#   on_exit FUNC                 run FUNC when the test exits (not when one of
#                                its $(...) subshells does)
#   wait_for_file PATH [SEC]     poll until PATH exists
#   lines_ge FILE N              FILE exists and has at least N lines
#   wait_until SEC CMD...        poll CMD every 0.1 s until it succeeds
#                                (CMD runs each time: pass a command such
#                                as lines_ge, never a "$(...)" value, which
#                                is computed once, before the wait)
#   nsp_json ARGS...             run "nsprobe ARGS --json"
# Environment (set by tests/vm/guest-suite): NSP_KO, NSPROBE, NSP_TOOLS.

NSP_PASS=${NSP_PASS:-0}
NSP_FAIL=${NSP_FAIL:-0}
NSP_NETNS=()

check() {
	local name=$1 want=$2 got=$3
	if [ "$want" == "$got" ]; then
		printf '  ok    %-60s %s\n' "$name" "$got"
		NSP_PASS=$((NSP_PASS + 1))
	else
		printf '  FAIL  %-60s expected %s, got %s\n' "$name" "$want" "$got"
		NSP_FAIL=$((NSP_FAIL + 1))
	fi
}

# check_cmd NAME CMD...: passes when CMD exits 0 (its real status is compared).
check_cmd() {
	local name=$1 rc=0
	shift
	"$@" >/dev/null 2>&1 || rc=$?
	check "$name" "exit 0" "exit $rc"
}

die() {
	echo "  FAIL  $*"
	NSP_FAIL=$((NSP_FAIL + 1))
	exit 1
}

nsp_load() {
	insmod "$NSP_KO" "$@" || die "insmod $NSP_KO $*"
}

nsp_unload() {
	rmmod nsprobe || die "rmmod nsprobe"
}

# ns_new VAR PREFIX: create a netns named PREFIX-<random>, IPv6 disabled in
# it before any device exists there, and store its name in VAR. (Not run in
# $(...): the cleanup list must live in the test's own shell.)
ns_new() {
	local -n _ns_var=$1
	local name
	name="$2-$(printf '%04x' $RANDOM)"
	ip netns add "$name" || die "ip netns add $name"
	ip netns exec "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$name" link set lo up
	NSP_NETNS+=("$name")
	_ns_var=$name
}

# on_exit FUNC: run FUNC when this test's shell exits. Bash also runs an EXIT
# trap when a $(...) subshell exits; the check keeps that from cleaning up
# in the middle of the test.
on_exit() {
	trap "[ \"\$BASHPID\" = $$ ] && $1" EXIT
}

# ns_inum NAME: the inum of netns NAME; ERR(...) if there is none.
ns_inum() {
	stat -L -c %i "/run/netns/$1" 2>/dev/null || { echo "ERR(no netns $1)"; return 1; }
}

ns_cleanup() {
	local n
	for n in "${NSP_NETNS[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	NSP_NETNS=()
}

wait_for_file() {
	local path=$1 sec=${2:-30} i
	for ((i = 0; i < sec * 10; i++)); do
		[ -e "$path" ] && return 0
		sleep 0.1
	done
	die "timed out waiting for $path"
}

wait_until() {
	local sec=$1 i
	shift
	for ((i = 0; i < sec * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

lines_ge() {
	[ -r "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

# wait_gone PID [SEC]: poll until PID no longer exists.
wait_gone() {
	local pid=$1 sec=${2:-30} i
	for ((i = 0; i < sec * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

nsp_json() {
	"$NSPROBE" "$@" --json
}

# Summary line for the suite (the plain "N passed, N failed" form).
nsp_summary() {
	echo "$NSP_PASS passed, $NSP_FAIL failed"
	[ "$NSP_FAIL" -eq 0 ]
}

# ---- Reading nsprobe's counters --------------------------------------------

NSP_DEBUGFS=/sys/kernel/debug/nsprobe

# No helper below reads a failure as 0. When the tool or a read fails, or a
# record that must exist is missing, a helper prints "ERR(why)", which no
# expected value ever equals, and returns non-zero; a check on it fails.

# nsp_read FILE: the debugfs FILE of nsprobe, or ERR(...) and status 2.
nsp_read() {
	local out
	if ! out=$(cat "$NSP_DEBUGFS/$1" 2>&1); then
		echo "ERR(cannot read $NSP_DEBUGFS/$1: ${out##*: })"
		return 2
	fi
	printf '%s\n' "$out"
}

# raw_field FILE TYPE FIELD KEY=VAL...: FIELD of the first record of TYPE in
# debugfs FILE whose fields include every KEY=VAL. No such record: prints ""
# and returns 1 (the caller says whether that is an error). FILE unreadable,
# or the record without FIELD: ERR(...), status 2.
raw_field() {
	local file=$1 type=$2 field=$3 text
	shift 3
	text=$(nsp_read "$file") || { echo "$text"; return 2; }
	awk -v type="$type" -v field="$field" -v want="$*" '
		$1 != type { next }
		{
			delete kv
			for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
			n = split(want, w, " ")
			for (i = 1; i <= n; i++) { split(w[i], p, "="); if (kv[p[1]] != substr(w[i], length(p[1]) + 2)) next }
			found = 1
			if (field in kv) print kv[field]
			else { printf "ERR(no %s in the %s record)\n", field, type; nofield = 1 }
			exit
		}
		END { exit nofield ? 2 : found ? 0 : 1 }' <<<"$text"
}

# netns_present INUM: the debugfs netns file has a record of netns INUM (it
# lists every netns of the system). Status 0 yes, 1 no, 2 unreadable (with
# the ERR text on stdout).
netns_present() {
	local v
	v=$(raw_field netns netns inum "inum=$1")
	case $? in
	0) return 0 ;;
	1) return 1 ;;
	*) echo "$v"; return 2 ;;
	esac
}

# sig_key_known KEY: KEY is one of format.h's NSP_SIG_COUNTERS.
NSP_FORMAT_H=$(dirname "${BASH_SOURCE[0]}")/../../include/nsprobe/format.h
sig_key_known() {
	sed -n '/^#define NSP_SIG_COUNTERS/,/^$/p' "$NSP_FORMAT_H" | grep -qE "X\($1,"
}

# absent_is_zero INUM WHAT: for a signal row that a listing left out: 0 if
# netns INUM exists (the listing omits signals whose counters are all 0),
# else ERR(...) and non-zero. WHAT names the listing in the error.
absent_is_zero() {
	local err
	err=$(netns_present "$1")
	case $? in
	0) echo 0 ;;
	1) echo "ERR(no netns $1; $2 has no row)"; return 1 ;;
	*) echo "$err"; return 2 ;;
	esac
}

# show_dev INUM IFNAME PATH: a jq PATH (e.g. .nsprobe.tx_packets) of the
# interface IFNAME of netns INUM in "nsprobe show --json"; ERR(...) if the
# tool fails or has no such interface. show_wide_dev: the same in
# "nsprobe show --wide --json" (qdisc_drops).
show_dev() { show_dev_of "" "$@"; }
show_wide_dev() { show_dev_of --wide "$@"; }
show_dev_of() {
	local json v wide=$1
	shift
	json=$(nsp_json show $wide 2>/dev/null) || { echo "ERR(nsprobe show exit $?)"; return 2; }
	v=$(jq -r --argjson inum "$1" --arg name "$2" \
		"[.netns[] | select(.inum == \$inum) | .interfaces[] | select(.name == \$name)]
		 | if length == 0 then \"ERR(no interface \$name in netns \$inum)\" else first | $3 end" \
		<<<"$json") || { echo "ERR(jq exit $?)"; return 2; }
	echo "$v"
	[[ $v != ERR\(* ]]
}

# show_sig INUM SIGNO FIELD: a counter of "nsprobe signals --json". The tool
# lists only signals with counts (and only netns with any), so a missing row
# is 0, but only when netns INUM exists (its debugfs netns record); a failing
# tool, a missing netns or a row without FIELD is ERR(...).
show_sig() {
	local json v
	json=$(nsp_json signals 2>/dev/null) || { echo "ERR(nsprobe signals exit $?)"; return 2; }
	v=$(jq -r --argjson inum "$1" --argjson signo "$2" --arg f "$3" '
		[.netns[] | select(.inum == $inum) | .signals[] | select(.signo == $signo)]
		| if length == 0 then "absent"
		  elif first | has($f) then first | .[$f]
		  else "ERR(no \($f) in the signals row)" end' <<<"$json") ||
		{ echo "ERR(jq exit $?)"; return 2; }
	case $v in
	absent)
		if ! sig_key_known "$3"; then
			echo "ERR(no signal counter $3 in format.h)"
			return 2
		fi
		absent_is_zero "$1" "nsprobe signals --json"
		;;
	ERR\(*) echo "$v"; return 2 ;;
	*) echo "$v" ;;
	esac
}

# probe_state HOOK: the state of a hook in "nsprobe status --json"; ERR(...)
# if the tool fails or lists no such hook.
probe_state() {
	local json
	json=$(nsp_json status 2>/dev/null) || { echo "ERR(nsprobe status exit $?)"; return 2; }
	jq -r --arg h "$1" '[.probes[] | select(.name == $h) | .state]
		| if length == 0 then "ERR(no probe \($h))" else first end' <<<"$json"
}

# wait_counter FILE EXPECTED [SEC]: poll a sysfs counter until it reaches
# EXPECTED (the receive side runs in softirq, after sendto() returned).
wait_counter() {
	local file=$1 want=$2 sec=${3:-30} i
	for ((i = 0; i < sec * 10; i++)); do
		[ "$(cat "$file")" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}
