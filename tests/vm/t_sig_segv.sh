#!/bin/bash
# A kernel-sent signal: a process in the netns dereferences NULL; the fault
# sends it SIGSEGV (si_code SEGV_MAPERR = 1): origin kernel, not forced,
# queued to itself, then delivered to the default action (core).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
SEGV=11

sig_setup
ulimit -c 0
ip netns exec "$ctr" bash -c 'echo $$ >/tmp/segv.pid; exec nsp-sigtool segv' >/dev/null 2>&1
check "exit status 139 (SIGSEGV)" 139 "$?"
pid=$(cat /tmp/segv.pid)
check "generated origin_kernel origin_process forced" "1 1 0 0" "$(sig_ctrs "$in" $SEGV generated origin_kernel origin_process forced)"
check "queued delivered_core delivered_term ignored" "1 1 0 0" "$(sig_ctrs "$in" $SEGV queued delivered_core delivered_term ignored)"
check "event" "11 queued - kernel forced=0 nspid=$pid" "$(ev_brief "$in" "$pid")"
check "event: sent by the process itself, si_code 1" "sender_pid=$pid code=1" \
	"$(grep "^ev inum=$in .* target_pid=$pid " "$NSP_DEBUGFS/events" | grep -o 'sender_pid=[0-9]*\| code=-\?[0-9]*' | tr -d '\n')"
nsp_unload
nsp_summary
