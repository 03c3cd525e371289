#!/bin/bash
# Robustness: a signal storm against exiting tasks (fork, SIGTERM, SIGKILL,
# SIGUSR1, reap, in a loop, for 20 s) in a netns, while nsprobe is loaded
# and unloaded 10 times. The kernel log must stay clean (vm-run fails the
# run on any WARNING, BUG, Oops, lockdep or sanitizer report), and the last
# load must still attribute signals.
#
# Run by `make stress`, not `make check`, because of this:
# OPEN (2026-11-29): 1 of 3 runs on 6.12.107 (TCG guest on a loaded host)
# ended in "Oops: int3" at __send_signal_locked+0x1, called from
# do_notify_parent(), while rmmod nsprobe was running ("nsprobe(OE-)"):
# an int3 at the ftrace site of the sig_generate kprobe that no handler
# claimed. 6.1 (1 run), 6.12 (the 2 other runs) and 6.12-rt (1) passed. Not root-caused
# yet; this test is how to reproduce it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"

cleanup() {
	ns_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
}
on_exit cleanup

ns_new ctr sig
in=$(ns_inum "$ctr")
ip netns exec "$ctr" nsp-sigtool storm 20 >/tmp/storm.out 2>&1 &
storm=$!
loads=0
for ((i = 0; i < 10; i++)); do
	insmod "$NSP_KO" sig_events=$((16 << i)) && loads=$((loads + 1))
	sleep 0.5
	cat "$NSP_DEBUGFS/events" "$NSP_DEBUGFS/signals" >/dev/null
	rmmod nsprobe
	sleep 0.5
done
check "loaded and unloaded 10 times" 10 "$loads"
wait "$storm"
check "the storm ran" 0 "$?"
check "the storm ran more than 10 iterations" 1 "$([ "$(cat /tmp/storm.out)" -gt 10 ] && echo 1 || echo 0)"

# Loaded for good: a short storm is counted, and overflows the ring.
# A child that exits before a signal reaches it has no netns any more
# (exit_task_namespaces()): such signals count as sig_unattributed, so the
# netns sees between 1 and N of the N SIGTERMs.
nsp_load sig_events=64
ip netns exec "$ctr" nsp-sigtool storm 3 >/tmp/storm.out 2>&1 || die "storm"
n=$(cat /tmp/storm.out) gen=$(sig_ctr "$in" 15 generated)
check "counted: 0 < SIGTERM generated <= iterations" 1 "$([ "$gen" -gt 0 ] && [ "$gen" -le "$n" ] && echo 1 || echo "gen=$gen n=$n")"
check "ring size is the parameter" 64 "$(raw_field events evring size inum=$in)"
check "ring overflowed and counted it" 1 \
	"$(w=$(raw_field events evring written inum=$in); o=$(raw_field events evring overflow inum=$in); [ "$w" -gt 64 ] && [ "$o" -eq $((w - 64)) ] && echo 1 || echo "written=$w overflow=$o")"
check "ring holds 64 events, consecutive seqs" "64 1" \
	"$(grep "^ev inum=$in " "$NSP_DEBUGFS/events" | grep -o ' seq=[0-9]*' | cut -d= -f2 | awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1; n++ } END { print n, bad ? 0 : 1 }')"
check "dmesg: no WARNING/BUG/lockdep" 0 "$(dmesg | grep -cE 'WARNING|BUG|Oops|lockdep|KASAN|UBSAN')"
nsp_unload
nsp_summary
