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
#   sig_setup [PARAMS]           the start of a t_sig_* test: on exit, its
#                                netns go and nsprobe is unloaded; nsprobe
#                                loaded with PARAMS; a fresh netns "sig-XXXX",
#                                its name in $ctr, its inum in $in. With
#                                NSP_CONTENTION=N in the environment, N
#                                "nsp-sigtool nsreader" processes read every
#                                task's ns/net link and status (taking each
#                                task_lock()) for the whole test
#                                (t_sig_contention.sh)
#   start_sigtool VAR NETNS MODE READY [ARG...]
#                                nsp-sigtool MODE READY ARG... in NETNS, in the
#                                background; waits for READY; its pid in VAR
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

sig_readers=()

sig_cleanup() {
	[ ${#sig_readers[@]} -eq 0 ] || { kill "${sig_readers[@]}"; wait "${sig_readers[@]}"; } 2>/dev/null
	ns_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
}

# Not run in $(...): ctr, in and the netns cleanup list must live in the
# test's own shell.
# shellcheck disable=SC2034,SC2154
sig_setup() {
	on_exit sig_cleanup
	nsp_load "$@"
	ns_new ctr sig
	in=$(ns_inum "$ctr")
	local i
	for ((i = 0; i < ${NSP_CONTENTION:-0}; i++)); do
		nsp-sigtool nsreader </dev/null >/dev/null 2>&1 &
		sig_readers+=($!)
	done
}

start_sigtool() {
	local -n _st_var=$1
	local ns=$2 mode=$3 ready=$4
	shift 4
	rm -f "$ready" "$ready".*	# a file left by an earlier run is no sign
	ip netns exec "$ns" nsp-sigtool "$mode" "$ready" "$@" </dev/null >/dev/null 2>&1 &
	wait_for_file "$ready"
	_st_var=$(pgrep -f "nsp-sigtool $mode $ready")
}

start_pidns_init() {
	local -n _init_var=$1
	local ns=$2 ready=$3 upid
	shift 3
	rm -f "$ready" "$ready".*
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
