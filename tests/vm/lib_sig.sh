# shellcheck shell=bash
# Helpers for the t_sig_* tests (source after lib.sh). Reads debugfs, the
# module's contract (include/nsprobe/format.h), directly:
#   sig_ctr INUM SIGNO FIELD     a counter of the "signals" file (0 if absent)
#   sig_ctrs INUM SIGNO F...     several, space separated
#   ev_brief INUM PID            the events of netns INUM whose target_pid is
#                                PID, one per line:
#                                "signo outcome reason origin forced=F nspid=N"
#   ev_last INUM PID             the last of those
#   ev_count INUM PID            how many
#   start_pidns_init VAR NETNS READY [SIGNO...]
#                                PID 1 of a new pid ns in NETNS (nsp-sigtarget)
#   wait_until SEC CMD...        poll CMD every 0.1 s until it succeeds

sig_ctr() {
	local v
	v=$(raw_field signals sig "$3" "inum=$1" "signo=$2")
	echo "${v:-0}"
}

sig_ctrs() {
	local inum=$1 signo=$2 f out=()
	shift 2
	for f in "$@"; do out+=("$(sig_ctr "$inum" "$signo" "$f")"); done
	echo "${out[*]}"
}

ev_brief() {
	awk -v inum="$1" -v pid="$2" '
		$1 != "ev" { next }
		{
			delete kv
			for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
			if (kv["inum"] != inum || kv["target_pid"] != pid) next
			print kv["signo"], kv["outcome"], kv["reason"], kv["origin"], "forced=" kv["forced"], "nspid=" kv["target_nspid"]
		}' "$NSP_DEBUGFS/events"
}

ev_last() { ev_brief "$1" "$2" | tail -n1; }
ev_count() { ev_brief "$1" "$2" | wc -l; }

start_pidns_init() {
	local -n _init_var=$1
	local ns=$2 ready=$3 upid
	shift 3
	ip netns exec "$ns" unshare --pid --fork nsp-sigtarget "$ready" "$@" \
		</dev/null >/dev/null 2>&1 &
	upid=$!
	wait_for_file "$ready"
	_init_var=$(pgrep -P "$upid" -x nsp-sigtarget)
	[ -n "$_init_var" ] || die "no init in $ns"
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
