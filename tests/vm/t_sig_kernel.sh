#!/bin/bash
# Signals the kernel sends (issue 9, item 3), each counted once in the
# target's netns with origin kernel: SIGALRM from setitimer() and alarm(),
# SIGUSR1 from a POSIX timer (send_sigqueue(), which the generation kprobe
# never sees), SIGPIPE from a write to a pipe with no reader, SIGCHLD from a
# child's exit. The timers fire from interrupt context: their events have
# no sender (sender_pid=0), never the interrupted task.
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
check "sig_unattributed" 0 "$(raw_field stats stats sig_unattributed)"
nsp_unload
nsp_summary
