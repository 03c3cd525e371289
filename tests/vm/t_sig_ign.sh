#!/bin/bash
# A process that set SIGUSR1 to SIG_IGN receives SIGUSR1: ignored, reason
# sig_ign, attributed to its netns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
USR1=10

sig_setup
start_sigtool pid "$ctr" ign /tmp/ign.ready $USR1

kill -USR1 "$pid"
kill -USR1 "$pid"
check "SIGUSR1 generated ignored ignored_sig_ign" "2 2 2" "$(sig_ctrs "$in" $USR1 generated ignored ignored_sig_ign)"
check "SIGUSR1 ignored_init ignored_default queued" "0 0 0" "$(sig_ctrs "$in" $USR1 ignored_init ignored_default queued)"
check "events" "10 ignored sig_ign process forced=0 nspid=$pid|10 ignored sig_ign process forced=0 nspid=$pid" \
	"$(ev_brief "$in" "$pid" | paste -sd'|')"
# size: the routine ring (256) and the notable ring (64); a process sent
# both SIGUSR1, so both are notable
check "rings: default sizes, 2 written, no overflow" "320 2 0" \
	"$(raw_field events evring size inum=$in) $(raw_field events evring written inum=$in) $(raw_field events evring overflow inum=$in)"
check "notable ring: size written overflow" "64 2 0" \
	"$(raw_field events evring notable_size inum=$in) $(raw_field events evring notable_written inum=$in) $(raw_field events evring notable_overflow inum=$in)"
check "still alive" 0 "$(kill -0 "$pid"; echo $?)"
kill -KILL "$pid"
wait_gone "$pid"
nsp_unload
nsp_summary
