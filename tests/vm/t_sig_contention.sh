#!/bin/bash
# Exact under contention (issue 9, item 4): the exact signal tests, unchanged,
# while four processes loop reading /proc/*/task/*/ns/net and
# /proc/*/status. Every such read takes the task's task_lock() (netns_get()),
# the lock that attribution of a signal to its target's netns once depended
# on winning (kmod/sigattr.c). Then: every count exact, nothing unattributed.
here=$(dirname "$0")
. "$here/lib.sh"
export NSP_CONTENTION=4
for t in t_signals_exact t_sig_ign t_sig_rt t_sig_threads t_sig_kernel; do
	out=$(bash "$here/$t.sh" 2>&1)
	rc=$?
	sed "s/^/[$t] /" <<<"$out" | grep -v '^\[[a-z_]*\] [0-9]* passed, [0-9]* failed$'
	last=$(tail -n1 <<<"$out")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		check "$t under contention: failed checks" 0 "${BASH_REMATCH[2]}"
		check "$t under contention: exit status" 0 "$rc"
	else
		check "$t under contention: summary" "N passed, N failed" "$last"
	fi
done
nsp_summary
