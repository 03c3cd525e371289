#!/bin/bash
# Orphans reparented to a handler-less pid namespace init: each one's exit
# sends SIGCHLD to the init, and SIG_DFL drops it. The reason nsprobe gives
# is "default action is ignore", not init protection: the kernel's init
# test happens to come first, but SIGCHLD with SIG_DFL is dropped for any
# process.
#
#   netns sig-XXXX, pid ns P:  PID 1 = nsp-sigtarget (no handlers)
#   host netns, pid ns P:      nsp-sigtool orphans 5 (nsenter -p only)
#     child -> 5 grandchildren; child exits and is reaped; the grandchildren,
#     reparented to PID 1, exit: 5 x SIGCHLD to PID 1, in netns sig-XXXX.
# The orphan maker runs in the host netns, so the container netns sees no
# other SIGCHLD.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
CHLD=17

# follow_has N: /tmp/follow.out holds at least N event lines of netns $in.
follow_has() { [ "$(grep -c "netns $in: SIG" /tmp/follow.out)" -ge "$1" ]; }

sig_setup
start_pidns_init pid1 "$ctr" /tmp/orph.ready

nsenter -t "$pid1" -p nsp-sigtool orphans 5 || die "nsp-sigtool orphans"
wait_until 30 sig_ctr_ge "$in" $CHLD generated 5 || die "SIGCHLD x5 not counted in 30 s"
check "SIGCHLD generated ignored ignored_default" "5 5 5" "$(sig_ctrs "$in" $CHLD generated ignored ignored_default)"
check "SIGCHLD ignored_init ignored_sig_ign ignored_other" "0 0 0" "$(sig_ctrs "$in" $CHLD ignored_init ignored_sig_ign ignored_other)"
check "SIGCHLD origin_kernel origin_process forced" "5 0 0" "$(sig_ctrs "$in" $CHLD origin_kernel origin_process forced)"
check "events: 5 for PID 1" 5 "$(ev_count "$in" "$pid1")"
check "events: each one" "17 ignored default kernel forced=0 nspid=1" "$(ev_brief "$in" "$pid1" | sort -u)"
check "events: si_code CLD_EXITED (1)" 1 \
	"$(awk -v p="$pid1" '$1 == "ev" && $0 ~ (" target_pid=" p " ") { for (i = 2; i <= NF; i++) if ($i ~ /^code=/) print substr($i, 6) }' "$NSP_DEBUGFS/events" | sort -u)"
# Before the CLI runs: the CLI itself signals processes (timeout, --follow)
# that may be exiting or have their alloc_lock held by a /proc reader, and
# such events are counted as unattributed by design.
check "no unattributed signal events" 0 "$(raw_field stats stats sig_unattributed)"
check "CLI: the plain-words reason" \
	"  why: SIGCHLD to processes of netns $in ignored 5×: no handler installed, and the default action of SIGCHLD is to ignore it (for any process, not only PID 1)" \
	"$("$NSPROBE" signals --netns "$in" | grep '^  why: SIGCHLD')"
check "CLI: signals --json explanations" 1 \
	"$(nsp_json signals --netns "$in" | jq '[.netns[].signals[] | select(.signo == 17) | .explanations[]] | length')"
check "CLI: signals --events --json, events to PID 1" "5 default" \
	"$(nsp_json signals --events --netns "$in" | jq -r '[.events[] | select(.target.nspid == 1)] | "\(length) \(map(.reason) | unique | join(","))"')"
check "CLI: signals --events text line" 5 \
	"$("$NSPROBE" signals --events --netns "$in" | grep -c "^  [0-9.]* .* pid 1 in pidns .* netns $in: SIGCHLD ignored (default), kernel: SIGCHLD to PID 1 of netns $in ignored: no handler installed, and the default action of SIGCHLD is to ignore it (for any process, not only PID 1)$")"
check "CLI: signals --events: one header, its netns" "1 1" \
	"$("$NSPROBE" signals --events --netns "$in" | grep -c '^netns ') $("$NSPROBE" signals --events --netns "$in" | grep -c "^netns $in:[0-9]* (.*): live, [0-9]* events\?$")"
# The orphans send SIGCHLD from exit_notify(), after exit_task_namespaces():
# the module reads no netns for them (sender_netns=0), and the text says
# so instead of "netns 0".
check "CLI: an exiting sender is '(exited, netns unknown)', never 'netns 0'" "5 5 0" \
	"$(awk -v p="$pid1" '$1 == "ev" && $0 ~ (" target_pid=" p " ") && / sender_netns=0 / && !/ sender_comm= /' "$NSP_DEBUGFS/events" | wc -l) $("$NSPROBE" signals --events --netns "$in" | grep -c "(exited, netns unknown) -> [^ ]*\[$pid1\] pid 1 ") $("$NSPROBE" signals --events --netns "$in" | grep -c ' netns 0 ')"
# --follow: wait until it printed the ring (5 events), send one more, wait
# for it to appear (polling, no fixed delay), then stop the follower.
"$NSPROBE" signals --events --follow --netns "$in" >/tmp/follow.out 2>&1 &
fpid=$!
wait_until 30 follow_has 5
kill -USR1 "$pid1"
wait_until 30 follow_has 6
kill -TERM "$fpid"
wait "$fpid" 2>/dev/null
check "CLI: --follow prints the ring, then new events" 6 "$(grep -c "netns $in: SIG" /tmp/follow.out)"
check "init still alive" 0 "$(kill -0 "$pid1"; echo $?)"

# (format 1.5, signals= 1.6) The events file's selection, written to an open file and
# read back from offset 0 (a new open each time: its own selection).
# ev_select LINE: what that file shows after LINE; "ERR <message>" if the
# write or the read failed (so an empty answer is never a failed read).
ev_select() {
	local out
	exec 3<>"$NSP_DEBUGFS/events"
	if ! out=$(printf '%s\n' "$1" 2>&1 >&3); then
		exec 3<&-
		echo "ERR $out"
		return
	fi
	if ! out=$(cat <&3 2>&1); then
		exec 3<&-
		echo "ERR read: $out"
		return
	fi
	exec 3<&-
	printf '%s\n' "$out"
}
cookie=$(raw_field netns netns cookie "inum=$in")
n_all=$(grep -c "^ev inum=$in " "$NSP_DEBUGFS/events")
check "events of netns $in in the whole file (5 SIGCHLD, 1 SIGUSR1)" 6 "$n_all"
sel=$(ev_select "select inum=$in cookie=$cookie after=0")
check "select after=0: its evring, all its events, nothing else" "1 6 0" \
	"$(grep -c "^evring inum=$in cookie=$cookie " <<<"$sel") $(grep -c "^ev inum=$in cookie=$cookie " <<<"$sel") $(grep -vc " inum=$in cookie=$cookie " <<<"$sel")"
check "select after=4: the events with seq 5 and 6" "5 6" \
	"$(ev_select "select inum=$in cookie=$cookie after=4" | awk '$1 == "ev" { sub("seq=", "", $4); print $4 }' | xargs)"
check "select after=6: the evring record only" "1 0" \
	"$(ev_select "select inum=$in cookie=$cookie after=6" | awk '$1 == "evring" { r++ } $1 == "ev" { e++ } END { print r + 0, e + 0 }')"
check "select with another cookie: nothing" "" "$(ev_select "select inum=$in cookie=$((cookie + 1000)) after=0")"
check "select all: every netns again" "$n_all" "$(ev_select "select all" | grep -c "^ev inum=$in ")"
# (format 1.6) signals=: bit (signo - 1). SIGCHLD 17 is 65536, SIGUSR1 10
# is 512, SIGTERM 15 (none sent) is 16384.
ev_signos() { awk '$1 == "ev" { for (i = 2; i <= NF; i++) if ($i ~ /^signo=/) print substr($i, 7) }' | xargs; }
check "select signals=SIGCHLD: the 5 SIGCHLD events only" "17 17 17 17 17" \
	"$(ev_select "select inum=$in cookie=$cookie after=0 signals=65536" | ev_signos)"
check "select signals=SIGUSR1: the one SIGUSR1 event" "10" \
	"$(ev_select "select inum=$in cookie=$cookie after=0 signals=512" | ev_signos)"
check "select signals=SIGCHLD|SIGUSR1 after=4: seq 5 and 6" "5 6" \
	"$(ev_select "select inum=$in cookie=$cookie after=4 signals=66048" | awk '$1 == "ev" { sub("seq=", "", $4); print $4 }' | xargs)"
check "select signals=SIGTERM (none sent): the evring record only, same sums" \
	"$(grep "^evring inum=$in " <<<"$sel")" \
	"$(ev_select "select inum=$in cookie=$cookie after=0 signals=16384")"
# (format 1.7) gseq=: the node's order; "select gseq_after=G" starts with
# the evnode record, then only the netns with events numbered after G.
# in_gseqs: the gseq of each of $in's events, by seq
in_gseqs() { awk -v i="$in" '$1 == "ev" && $2 == "inum=" i { for (k = 2; k <= NF; k++) if ($k ~ /^gseq=/) print substr($k, 6) }' "$NSP_DEBUGFS/events" | xargs; }
read -r -a gs <<<"$(in_gseqs)"
check "gseq: one per event of $in, increasing" "6 1" \
	"${#gs[@]} $(printf '%s\n' "${gs[@]}" | sort -nuc 2>/dev/null && echo 1)"
sel=$(ev_select "select gseq_after=${gs[3]}")
check "select gseq_after=<4th>: evnode first, its gseq >= the 6th's" "evnode 1" \
	"$(head -1 <<<"$sel" | cut -d' ' -f1) $(head -1 <<<"$sel" | awk -v g="${gs[5]}" '{ sub("gseq=", "", $2); print ($2 >= g) }')"
check "select gseq_after=<4th>: $in's evring and its seq 5 and 6" "1|5 6" \
	"$(grep -c "^evring inum=$in " <<<"$sel")|$(awk -v i="$in" '$1 == "ev" && $2 == "inum=" i { sub("seq=", "", $4); print $4 }' <<<"$sel" | xargs)"
check "select gseq_after=<6th>: nothing of $in, not even its evring" 0 \
	"$(ev_select "select gseq_after=${gs[5]}" | grep -c " inum=$in ")"
check "select gseq_after=0 signals=SIGUSR1: of $in, seq 6 only" "6" \
	"$(ev_select "select gseq_after=0 signals=512" | awk -v i="$in" '$1 == "ev" && $2 == "inum=" i { sub("seq=", "", $4); print $4 }' | xargs)"
for bad in "select gseq_after=" "select gseq_after=1 signals=0" "select gseq_after=1 x=1" \
	"select gseq_after=1 signals=1 more=1" "select gseq_after=+1" "select gseq_after=1 inum=1"; do
	check "select refused (EINVAL): '$bad'" "ERR" "$(ev_select "$bad" | cut -c1-3)"
done
for bad in "select" "select all x" "select inum=$in cookie=$cookie" "select inum=+$in cookie=$cookie after=0" \
	"select inum=4294967296 cookie=1 after=0" "select  inum=$in cookie=$cookie after=0" \
	"select inum=$in cookie=$cookie after=0 more=1" "select inum=$in cookie=$cookie after=0x1" \
	"select inum=1 cookie=1 after=$(printf '%0100d' 1)" \
	"select inum=$in cookie=$cookie after=0 signals=0" "select inum=$in cookie=$cookie after=0 signals=+1" \
	"select inum=$in cookie=$cookie after=0 signals=18446744073709551616" \
	"select inum=$in cookie=$cookie after=0 signals=1 more=1" \
	"select inum=$in cookie=$cookie signals=1 after=0"; do
	tail=${bad#"select inum=$in cookie=$cookie "}
	check "select refused (EINVAL): '${tail:0:50}'" "ERR" "$(ev_select "$bad" | cut -c1-3)"
done
# The CLI's signal filters with --netns (format 1.6: applied in the module
# too): the header still counts the ring's 6 events.
# head_of ARGS...: the header of `signals --events --netns $in ARGS`, from
# its netns on ("netns INUM:COOKIE" and, after the label, what follows).
head_of() { "$NSPROBE" signals --events --netns "$in" "$@" | head -1 | sed 's/ (.*): / /'; }
check "CLI: --signal USR1: the header says 1 of 6, one event line" \
	"netns $in:$cookie live, 1 of 6 events match the filters|1" \
	"$(head_of --signal USR1)|$("$NSPROBE" signals --events --netns "$in" --signal USR1 | grep -c ': SIGUSR1 ')"
check "CLI: --exclude-signal CHLD: the same" \
	"netns $in:$cookie live, 1 of 6 events match the filters" "$(head_of --exclude-signal CHLD)"
check "CLI: --signal TERM (none): no event matches (6 kept)" \
	"no event matches the filters (6 events kept)" \
	"$("$NSPROBE" signals --events --netns "$in" --signal TERM)"
check "CLI: --json --signal CHLD: 5 events, all SIGCHLD" "5 17" \
	"$(nsp_json signals --events --netns "$in" --signal CHLD | jq -r '"\(.events | length) \(.events | map(.signo) | unique | join(","))"')"

# --- (format 1.7) --follow sleeps in poll() on one open events file ---
# Two followers, JSON lines: f1 of netns $in (a one-netns selection, woken
# by that netns' events only) and fall of every netns ("select
# gseq_after=", woken by any event). Each event of $in must reach each of
# them exactly once: its seqs 1..N, each once.
# jl_seqs FILE: the seqs of netns $in's events in FILE, sorted, one a line
jl_seqs() { jq -r --argjson i "$in" 'select(.inum == $i) | .seq' "$1" | sort -n; }
jl_has() { [ "$(jl_seqs "$1" | wc -l)" -ge "$2" ]; }
# syscr PID: read() calls of PID so far (/proc/PID/io)
syscr() { awk '$1 == "syscr:" { print $2 }' "/proc/$1/io"; }
# node_gseq: the gseq of the node's last event (the evnode record)
node_gseq() { ev_select "select gseq_after=0" | awk '$1 == "evnode" { sub("gseq=", "", $2); print $2 }'; }
# in_seq: the seq of netns $in's last event (its evring written=)
in_seq() { raw_field events evring written "inum=$in"; }
check "no reader holds the module before the followers" 0 "$(cat /sys/module/nsprobe/refcnt)"
"$NSPROBE" signals --events --follow --json --netns "$in" >/tmp/f1.out 2>/tmp/f1.err &
f1=$!
"$NSPROBE" signals --events --follow --json >/tmp/fall.out 2>/tmp/fall.err &
fall=$!
sig_readers+=("$f1" "$fall")	# sig_cleanup stops them before its rmmod
n=$(in_seq)
wait_until 30 jl_has /tmp/f1.out "$n"
wait_until 30 jl_has /tmp/fall.out "$n"
# (a) Three more, one at a time: each reaches both before the next is sent.
for k in 1 2 3; do
	kill -USR1 "$pid1"
	wait_until 30 jl_has /tmp/f1.out $((n + k))
	wait_until 30 jl_has /tmp/fall.out $((n + k))
done
n=$((n + 3))
check "follow: netns $in's last seq is the ring's" "$n" "$(in_seq)"
check "follow --netns: each event of $in once, seq 1..$n" "$(seq 1 $n | xargs)" "$(jl_seqs /tmp/f1.out | xargs)"
check "follow (every netns): each event of $in once, seq 1..$n" "$(seq 1 $n | xargs)" "$(jl_seqs /tmp/fall.out | xargs)"
# (b) While $in is quiet, f1 reads nothing, though the node's other events
# wake its poll(): SIGCHLDs of the host netns (each sleep below ends with
# one to this shell). Before 1.7 it read the file every 0.2 s (this
# interval: 10 or more reads); a poll() that is not its netns' would make
# it read once per wake.
r0=$(syscr "$f1") g0=$(node_gseq)
for k in 1 2 3 4 5 6 7 8 9 10; do sleep 0.2; done
r1=$(syscr "$f1") g1=$(node_gseq)
check "idle: events elsewhere on the node meanwhile (gseq went up)" 1 "$((g1 > g0 + 9))"
check "idle: none in $in (its last seq)" "$n" "$(in_seq)"
check "idle: follow --netns did not read (syscr before/after)" "$r0" "$r1"
# (c) An open events file pins the module: rmmod is refused while a
# follower runs (docs/architecture.md), and works once none runs.
kill -TERM "$fall"
wait "$fall" 2>/dev/null
check "refcnt: the one follower left holds the module" 1 "$(cat /sys/module/nsprobe/refcnt)"
rmmod nsprobe 2>/dev/null
rc=$?
check "rmmod while a follower runs: refused, the module stays" "1 1" \
	"$((rc != 0)) $(grep -c '^nsprobe ' /proc/modules)"
# A follower whose reader went away ends at once (POLLERR on its stdout
# pipe), not at the next event of its netns, which never comes here.
timeout 30 bash -c "\"$NSPROBE\" signals --events --follow --netns $in | head -n 1 >/dev/null"
check "follow | head -n 1: the follower ends without a new event (not 124)" 0 "$?"
check "refcnt: f1 only again" 1 "$(cat /sys/module/nsprobe/refcnt)"

# The orphans are zombies now (PID 1 never reaps): SIGKILL to PID 1 makes
# zap_pid_ns_processes() SIGKILL them, and a zombie has no netns.
kill -KILL "$pid1"
wait_gone "$pid1"
# (1.7) f1 hangs up when its netns dies: its last events (read when they
# come, or from the post-mortem record), "netns ... is gone", exit 0. Each
# event still once. (f1 is this shell's child: wait, with a watchdog.)
ip netns del "$ctr"
(sleep 60; kill -TERM "$f1") 2>/dev/null &
wd=$!
wait "$f1"
rc=$?
kill "$wd" 2>/dev/null
check "follow --netns: ends by itself with status 0 when its netns dies" 0 "$rc"
check "follow --netns: says so" "netns $in:$cookie is gone" "$(cat /tmp/f1.err)"
pm_n=$(raw_field postmortem evring written "inum=$in" "cookie=$cookie")
check "follow --netns: each event of the dead netns once, seq 1..$pm_n" \
	"$(seq 1 "$pm_n" | xargs)" "$(jl_seqs /tmp/f1.out | xargs)"
check "refcnt: no follower left" 0 "$(cat /sys/module/nsprobe/refcnt)"
nsp_unload
nsp_summary
