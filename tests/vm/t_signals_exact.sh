#!/bin/bash
# The five signal cases of the design brief, with exact counts attributed to
# the container's netns (the target's), not the sender's.
#
#   guest init netns, init pid ns            netns sig-XXXX, new pid ns
#   kill from "the host"  ------------------> PID 1 = nsp-sigtarget
#   nsenter -p -n kill (same pid ns) ------->   (ctr1: no handler;
#                                                ctr2: SIGTERM handler)
#
# A pid namespace init has SIGNAL_UNKILLABLE: with SIG_DFL it drops every
# signal except a SIGKILL/SIGSTOP forced from an ancestor pid namespace.
# 6: a plain netns (no pid namespace of its own): signals --why says "the
# netns" there, "the container" for ctr1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
TERM_=15 KILL_=9

cleanup() {
	ns_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
}
on_exit cleanup

sigrow() { # INUM SIGNO: "generated forced ignored ignored_init" from the tool
	local f out=()
	for f in generated forced ignored ignored_init; do out+=("$(show_sig "$1" "$2" "$f")"); done
	echo "${out[*]}"
}

nsp_load
check "sig_generate probe armed" armed "$(probe_state sig_generate)"
check "sig_ns_exit, sig_ns_switch, oom_victim armed" "armed armed armed" \
	"$(probe_state sig_ns_exit) $(probe_state sig_ns_switch) $(probe_state oom_victim)"
check "sig_outcome: tracepoint signal_generate armed" "tracepoint signal_generate armed" \
	"$(raw_field probes probe kind name=sig_outcome) $(raw_field probes probe symbol name=sig_outcome) $(raw_field probes probe state name=sig_outcome)"
check "sig_deliver: tracepoint signal_deliver armed" "tracepoint signal_deliver armed" \
	"$(raw_field probes probe kind name=sig_deliver) $(raw_field probes probe symbol name=sig_deliver) $(raw_field probes probe state name=sig_deliver)"
host=$(stat -L -c %i /proc/self/ns/net)

ns_new ctr1 sig
in1=$(ns_inum "$ctr1")
start_pidns_init pid1 "$ctr1" /tmp/init1.ready

# 1. SIGTERM from inside, no handler: ignored (init-protected).
nsenter -t "$pid1" -p -n kill -TERM 1
check "1 inside TERM: generated forced ignored ignored_init" "1 0 1 1" "$(sigrow "$in1" $TERM_)"
check "1 inside TERM: event" "15 ignored init process forced=0 nspid=1" "$(ev_last "$in1" "$pid1")"
check "1 inside TERM: init still alive" 0 "$(kill -0 "$pid1"; echo $?)"

# 2. SIGKILL from inside: ignored (not forced: same pid namespace).
nsenter -t "$pid1" -p -n kill -KILL 1
check "2 inside KILL: generated forced ignored ignored_init" "1 0 1 1" "$(sigrow "$in1" $KILL_)"
check "2 inside KILL: event" "9 ignored init process forced=0 nspid=1" "$(ev_last "$in1" "$pid1")"
check "2 inside KILL: init still alive" 0 "$(kill -0 "$pid1"; echo $?)"

# 3. SIGTERM from the host, no handler: forced, but only SIGKILL/SIGSTOP
#    pass when forced: ignored.
kill -TERM "$pid1"
check "3 host TERM: generated forced ignored ignored_init" "2 1 2 2" "$(sigrow "$in1" $TERM_)"
check "3 host TERM: event" "15 ignored init process forced=1 nspid=1" "$(ev_last "$in1" "$pid1")"
check "3 host TERM: init still alive" 0 "$(kill -0 "$pid1"; echo $?)"

# 4. SIGKILL from the host: forced, delivered.
kill -KILL "$pid1"
check "4 host KILL: generated forced ignored ignored_init" "2 1 1 1" "$(sigrow "$in1" $KILL_)"
check "4 host KILL: event" "9 delivered_term - process forced=1 nspid=1" "$(ev_last "$in1" "$pid1")"
check "4 host KILL: queued delivered_term" "1 1" "$(sig_ctrs "$in1" $KILL_ queued delivered_term)"
check "1-4: events for init, in order" "15 ignored init process forced=0 nspid=1|9 ignored init process forced=0 nspid=1|15 ignored init process forced=1 nspid=1|9 delivered_term - process forced=1 nspid=1" "$(ev_brief "$in1" "$pid1" | paste -sd'|')"
check "4 host KILL: init gone" 0 "$(wait_gone "$pid1"; echo $?)"
# The story of 1-4 in words: a netns with a pid namespace of its own is "the
# container"; 1 and 2 were sent inside it (nsenter's kill), 3 and 4 from
# outside (this shell).
me=$(cat /proc/$$/comm)	# this shell, the sender of 3 and 4
why1=$(nsp_json signals --why "$in1" 2>&1)
check "1-4 why: kind, each step's sender inside" "container|true|true|false|false" \
	"$(jq -r '.kind, (.steps[] | .sender.inside)' <<<"$why1" | paste -sd'|')"
check "1-4 why: step 1 in words" "SIGTERM from pid * (kill, inside the container) to PID 1 (nsp-sigtarget)" \
	"$(jq -r '.steps[0].text | sub("pid [0-9]+ "; "pid * ") | sub(" → .*"; "")' <<<"$why1")"
check "1-4 why: step 3 in words" "SIGTERM from pid $$ ($me, outside the container)" \
	"$(jq -r '.steps[2].text | sub("^[^ ]+ [^ ]+ later "; "") | sub(" → .*"; "")' <<<"$why1")"

# 5. SIGTERM to an init that installed a handler: delivered to it.
ns_new ctr2 sig
in2=$(ns_inum "$ctr2")
start_pidns_init pid2 "$ctr2" /tmp/init2.ready $TERM_
kill -TERM "$pid2"
wait_until 30 lines_ge /tmp/init2.ready.log 1
check "5 host TERM, handler: generated forced ignored ignored_init" "1 1 0 0" "$(sigrow "$in2" $TERM_)"
check "5 host TERM, handler: the handler ran once" "15" "$(cat /tmp/init2.ready.log)"
check "5 host TERM, handler: event" "15 queued - process forced=1 nspid=1" "$(ev_last "$in2" "$pid2")"
wait_until 10 sig_ctr_ge "$in2" $TERM_ delivered_handler 1
check "5 host TERM, handler: queued delivered_handler" "1 1" "$(sig_ctrs "$in2" $TERM_ queued delivered_handler)"
nsenter -t "$pid2" -p -n kill -TERM 1
wait_until 30 lines_ge /tmp/init2.ready.log 2
check "5b inside TERM, handler: generated forced ignored" "2 1 0" "$(sigrow "$in2" $TERM_ | cut -d' ' -f1-3)"
check "5b inside TERM, handler: event" "15 queued - process forced=0 nspid=1" "$(ev_last "$in2" "$pid2")"
wait_until 10 sig_ctr_ge "$in2" $TERM_ delivered_handler 2
check "5b inside TERM, handler: delivered_handler" 2 "$(sig_ctr "$in2" $TERM_ delivered_handler)"
check "5b inside TERM, handler: the handler ran twice" "2" "$(wc -l </tmp/init2.ready.log)"

# 6. A plain netns (`ip netns add`, its task in the host's pid namespace):
#    its story says "the netns", never "the container".
ns_new plain sig
inp=$(ns_inum "$plain")
rm -f /tmp/plain.ready /tmp/plain.ready.log
ip netns exec "$plain" nsp-sigtarget /tmp/plain.ready $TERM_ </dev/null >/dev/null 2>&1 &
wait_for_file /tmp/plain.ready
tp=$(pgrep -f "nsp-sigtarget /tmp/plain.ready")
kill -TERM "$tp"
wait_until 30 lines_ge /tmp/plain.ready.log 1
ip netns exec "$plain" kill -TERM "$tp"
wait_until 30 lines_ge /tmp/plain.ready.log 2
whyp=$(nsp_json signals --why "$inp" 2>&1)
check "6 plain netns why: kind, container, each step's sender inside" "netns|null|false|true" \
	"$(jq -r '.kind, .container, (.steps[] | .sender.inside)' <<<"$whyp" | paste -sd'|')"
check "6 plain netns why: the steps in words" \
	"SIGTERM from pid $$ ($me, outside the netns)|SIGTERM from pid * (kill, inside the netns)" \
	"$(jq -r '.steps[].text | sub("^[^ ]+ [^ ]+ later "; "") | sub(" (to|→) .*"; "")
		  | sub("pid [0-9]+ \\(kill"; "pid * (kill")' <<<"$whyp" | paste -sd'|')"
check "6 plain netns why: no word of a container" 0 \
	"$("$NSPROBE" signals --why "$inp" | grep -c container)"
kill -KILL "$tp"
wait_gone "$tp"

# Attribution: the sender's netns (this one) saw none of these.
check "host netns: SIGTERM generated" 0 "$(show_sig "$host" $TERM_ generated)"
check "host netns: SIGKILL generated" 0 "$(show_sig "$host" $KILL_ generated)"
check "debugfs agrees: ctr1 SIGTERM ignored_init" 2 "$(raw_field signals sig ignored_init inum=$in1 signo=15)"
check "ctr1: no SIGTERM/SIGKILL reached a handler" "0 0" "$(sig_ctr "$in1" $TERM_ delivered_handler) $(sig_ctr "$in1" $KILL_ delivered_handler)"
check "no unattributed signal events" 0 "$(raw_field stats stats sig_unattributed)"

kill -KILL "$pid2"
wait_gone "$pid2"
nsp_unload
nsp_summary
