#!/bin/bash
# tgkill() to one thread of a multi-threaded process in netns A, sent from
# the host netns: counted in A (the target's), with that thread as target.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
USR1=10

sig_setup
host=$(stat -L -c %i /proc/self/ns/net)
start_sigtool tgid "$ctr" threads /tmp/thr.ready $USR1
read -r tgid tid </tmp/thr.ready	# the thread group and its second thread
[ "$tgid" != "$tid" ] || die "no second thread"

nsp-sigtool tgkill "$tgid" "$tid" $USR1 || die "tgkill"
wait_until 30 test -s /tmp/thr.ready.log
check "the handler ran in that thread" "$tid" "$(cat /tmp/thr.ready.log)"
check "netns A: generated queued delivered_handler" "1 1 1" "$(sig_ctrs "$in" $USR1 generated queued delivered_handler)"
check "host netns: SIGUSR1 generated" 0 "$(sig_ctr "$host" $USR1 generated)"
check "event: target is the thread" "10 queued - process forced=0 nspid=$tid" "$(ev_brief "$in" "$tid")"
check "event: target_tgid, si_code SI_TKILL (-6)" "target_tgid=$tgid code=-6" \
	"$(grep "^ev inum=$in .* target_pid=$tid " "$NSP_DEBUGFS/events" | grep -o 'target_tgid=[0-9]*\| code=-\?[0-9]*' | tr -d '\n')"
kill -KILL "$tgid"
wait_gone "$tgid"
nsp_unload
nsp_summary
