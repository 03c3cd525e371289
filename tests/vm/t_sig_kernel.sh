#!/bin/bash
# Signals the kernel sends (issue 9, item 3), each counted once in the
# target's netns with origin kernel: SIGALRM from setitimer() and alarm(),
# SIGUSR1 from a POSIX timer (send_sigqueue(), which the generation kprobe
# never sees), SIGPIPE from a write to a pipe with no reader, SIGCHLD from a
# child's exit. The timers fire from interrupt context: their events have
# no sender (sender_pid=0), never the interrupted task. Then a pid
# namespace's init exits, and the kernel SIGKILLs the tasks left in it
# (zap_pid_ns_processes()): each event says cause=init_exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
USR1=10 PIPE=13 ALRM=14 CHLD=17
N=3

sig_setup
out=$(ip netns exec "$ctr" nsp-sigtool kernel $N)
check "handled by the process" "alrm=$((N + 1)) usr1=$N pipe=$N chld=$N" "$out"

check "SIGALRM generated origin_kernel queued delivered_handler" "$((N + 1)) $((N + 1)) $((N + 1)) $((N + 1))" \
	"$(sig_ctrs "$in" $ALRM generated origin_kernel queued delivered_handler)"
check "SIGUSR1 (posix timer) generated origin_kernel forced delivered_handler" "$N $N 0 $N" \
	"$(sig_ctrs "$in" $USR1 generated origin_kernel forced delivered_handler)"
check "SIGPIPE generated origin_kernel origin_process delivered_handler" "$N $N 0 $N" \
	"$(sig_ctrs "$in" $PIPE generated origin_kernel origin_process delivered_handler)"
check "SIGCHLD generated origin_kernel delivered_handler ignored" "$N $N $N 0" \
	"$(sig_ctrs "$in" $CHLD generated origin_kernel delivered_handler ignored)"

# events: signo and sender_pid of each, in ring order
evs=$(awk -v inum="$in" '$1 == "ev" && $2 == "inum=" inum {
	delete kv
	for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
	print kv["signo"], (kv["sender_pid"] == 0 ? "nosender" : "sender"), kv["origin"], kv["code"] }' "$NSP_DEBUGFS/events")
check "timer events have no sender: SIGALRM" "$((N + 1))" "$(grep -c "^$ALRM nosender kernel 128$" <<<"$evs")"
check "timer events have no sender: SIGUSR1 (SI_TIMER)" "$N" "$(grep -c "^$USR1 nosender kernel -2$" <<<"$evs")"
check "SIGPIPE events: sent by the writer, SI_USER" "$N" "$(grep -c "^$PIPE sender kernel 0$" <<<"$evs")"
check "SIGCHLD events: sent by the child, CLD_EXITED" "$N" "$(grep -c "^$CHLD sender kernel 1$" <<<"$evs")"
check "no other event in the netns" "$((4 * N + 1))" "$(wc -l <<<"$evs")"

# PID 1 (a shell) with two children; the host kills PID 1
KILL=9
ip netns exec "$ctr" unshare --pid --fork --kill-child sh -c \
	'sleep 600 & sleep 600 & echo ok >"$0"; wait' "/tmp/zap.$$.ready" </dev/null >/dev/null 2>&1 &
job=$!
wait_for_file /tmp/zap.$$.ready
init=$(pgrep -f '^sh -c sleep 600 & sleep 600')
kids=$(pgrep -P "$init" -x sleep | paste -sd' ')
check "PID 1 has two children" 2 "$(wc -w <<<"$kids")"
kill -KILL "$init"
for k in $kids; do wait_gone "$k"; done
wait "$job" 2>/dev/null	# reaped here, so bash prints no job notice later
check "SIGKILL generated: PID 1 from the host, two at teardown" 3 "$(sig_ctr "$in" $KILL generated)"
zap() { # PID: "cause origin forced" of the SIGKILL events for PID
	awk -v inum="$in" -v pid="$1" '$1 == "ev" && $2 == "inum=" inum {
		delete kv
		for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
		if (kv["target_pid"] == pid && kv["signo"] == 9) print kv["cause"], kv["origin"], "sender=" kv["sender_pid"] }' "$NSP_DEBUGFS/events"
}
check "PID 1's SIGKILL: from the host, no cause" "- process sender=$$" "$(zap "$init")"
for k in $kids; do
	check "child $k: killed because PID 1 exited" "init_exit kernel sender=$init" "$(zap "$k")"
done

check "sig_unattributed" 0 "$(raw_field stats stats sig_unattributed)"
nsp_unload
nsp_summary
