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

# check_cmd NAME CMD...: passes when CMD exits 0.
check_cmd() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then check "$name" 0 0; else check "$name" 0 "exit $?"; fi
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

ns_inum() {
	stat -L -c %i "/run/netns/$1"
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

# raw_field FILE TYPE FIELD KEY=VAL...: FIELD of the first record of TYPE in
# debugfs FILE whose fields include every KEY=VAL ("" if there is none).
raw_field() {
	local file=$1 type=$2 field=$3
	shift 3
	awk -v type="$type" -v field="$field" -v want="$*" '
		$1 != type { next }
		{
			delete kv
			for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
			n = split(want, w, " ")
			for (i = 1; i <= n; i++) { split(w[i], p, "="); if (kv[p[1]] != substr(w[i], length(p[1]) + 2)) next }
			print kv[field]; exit
		}' "$NSP_DEBUGFS/$file"
}

# show_dev INUM IFNAME PATH: a jq PATH (e.g. .nsprobe.tx_packets) of the
# interface IFNAME of netns INUM in "nsprobe show --json".
show_dev() {
	nsp_json show | jq -r --argjson inum "$1" --arg name "$2" \
		".netns[] | select(.inum == \$inum) | .interfaces[] | select(.name == \$name) | $3"
}

# show_sig INUM SIGNO FIELD: a counter of "nsprobe signals --json" (0 if the
# row is absent, as the tool lists only signals with counts).
show_sig() {
	local v
	v=$(nsp_json signals | jq -r --argjson inum "$1" --argjson signo "$2" \
		"[.netns[] | select(.inum == \$inum) | .signals[] | select(.signo == \$signo) | .$3] | first // 0")
	echo "${v:-0}"
}

# probe_state HOOK: the state of a hook in "nsprobe status --json".
probe_state() {
	nsp_json status | jq -r --arg h "$1" '.probes[] | select(.name == $h) | .state'
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
