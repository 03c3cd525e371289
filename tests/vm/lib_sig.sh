# shellcheck shell=bash
# Helpers for the t_sig_* tests (source after lib.sh). Reads debugfs, the
# module's contract (include/nsprobe/format.h), directly:
#   sig_ctr INUM SIGNO FIELD     a counter of the "signals" file (0 if the
#                                row is absent but the netns exists)
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
#   sig_ctr_ge INUM SIGNO FIELD N  the counter is a number >= N

# The signals file has a row only for a signal with a non-zero counter
# (kmod/debugfs.c, nsp_signals_show_net), so a missing row is 0, but only
# if the netns exists (lib.sh, absent_is_zero) and FIELD is a signal
# counter of format.h (lib.sh, sig_key_known). Anything else is ERR(...), never 0.
sig_ctr() {
	local v
	v=$(raw_field signals sig "$3" "inum=$1" "signo=$2")
	case $? in
	0) echo "$v" ;;
	1)
		if ! sig_key_known "$3"; then
			echo "ERR(no signal counter $3 in format.h)"
			return 2
		fi
		absent_is_zero "$1" "the signals file"
		;;
	*) echo "$v"; return 2 ;;
	esac
}


sig_ctrs() {
	local inum=$1 signo=$2 f v rc=0 out=()
	shift 2
	for f in "$@"; do
		v=$(sig_ctr "$inum" "$signo" "$f") || rc=2
		out+=("$v")
	done
	echo "${out[*]}"
	return $rc
}

ev_brief() {
	local text
	text=$(nsp_read events) || { echo "$text"; return 2; }
	awk -v inum="$1" -v pid="$2" '
		$1 != "ev" { next }
		{
			delete kv
			for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
			if (kv["inum"] != inum || kv["target_pid"] != pid) next
			print kv["signo"], kv["outcome"], kv["reason"], kv["origin"], "forced=" kv["forced"], "nspid=" kv["target_nspid"]
		}' <<<"$text"
}

ev_last() {
	local out
	out=$(ev_brief "$1" "$2") || { echo "$out"; return 2; }
	tail -n1 <<<"$out"
}
ev_count() {
	local out
	out=$(ev_brief "$1" "$2") || { echo "$out"; return 2; }
	[ -z "$out" ] && { echo 0; return 0; }
	wc -l <<<"$out"
}

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

sig_ctr_ge() {
	local v
	v=$(sig_ctr "$1" "$2" "$3") && [ "$v" -ge "$4" ]
}
