#!/bin/bash
# Real-time signals queue: three SIGRTMIN+1 (glibc's SIGRTMIN is 34, so 35)
# sent with sigqueue() to a process that blocks it are queued three times
# (not coalesced), and reach the handler three times once it unblocks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
RT1=35

sig_setup
start_sigtool pid "$ctr" block /tmp/rt.ready $RT1

nsp-sigtool sigqueue "$pid" $RT1 3 || die "sigqueue"
check "blocked: generated queued queued_blocked coalesced" "3 3 3 0" "$(sig_ctrs "$in" $RT1 generated queued queued_blocked coalesced)"
check "blocked: delivered_handler" 0 "$(sig_ctr "$in" $RT1 delivered_handler)"
check "events" "35 queued_blocked - process forced=0 nspid=$pid|35 queued_blocked - process forced=0 nspid=$pid|35 queued_blocked - process forced=0 nspid=$pid" \
	"$(ev_brief "$in" "$pid" | paste -sd'|')"
check "events: si_code SI_QUEUE (-1)" "-1" \
	"$(awk -v p="$pid" '$1 == "ev" && $0 ~ (" target_pid=" p " ") { for (i = 2; i <= NF; i++) if ($i ~ /^code=/) print substr($i, 6) }' "$NSP_DEBUGFS/events" | sort -u)"

touch /tmp/rt.ready.go
wait_until 30 lines_ge /tmp/rt.ready.log 3 || echo "  (the handler log has not 3 lines after 30 s)"
check "unblocked: the handler ran 3 times" 3 "$(wc -l </tmp/rt.ready.log)"
check "unblocked: delivered_handler" 3 "$(sig_ctr "$in" $RT1 delivered_handler)"
kill -KILL "$pid"
wait_gone "$pid"
nsp_unload
nsp_summary
