#!/bin/bash
# Per-netns memory on first use (format 1.3): N netns created with the
# module loaded and no signal or veth in them allocate nothing (sig_rows=0,
# ev_chunks=0, alloc_failed=0 in every one); every "ip netns add" succeeds;
# one signal to a process in one of them allocates exactly one counter row
# and one event chunk there, and the tool shows both. Exact facts only: the
# memory per netns is a benchmark (scripts/bench-netns,
# docs/performance.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"	# dmesg_clean
N=${NSP_FOOTPRINT_NETNS:-200}

cleanup() {
	local i
	[ -n "${sleeper:-}" ] && kill -KILL "$sleeper" 2>/dev/null
	for ((i = 1; i <= N; i++)); do ip netns del "fp-$i" 2>/dev/null; done
}
on_exit cleanup

nsp_load
failed_add=0
for ((i = 1; i <= N; i++)); do
	ip netns add "fp-$i" || failed_add=$((failed_add + 1))
done
check "ip netns add x $N with the module loaded" 0 $failed_add

bad=0
for ((i = 1; i <= N; i++)); do
	inum=$(ns_inum "fp-$i")
	rec=$(grep "^netns inum=$inum " $NSP_DEBUGFS/netns)
	[[ $rec == *" devices=0 "*" sig_rows=0 ev_chunks=0 alloc_failed=0"* ]] || {
		bad=$((bad + 1))
		echo "  netns fp-$i: $rec"
	}
done
check "$N netns without signals: sig_rows=0 ev_chunks=0 alloc_failed=0" 0 $bad

# One signal: SIGUSR1 to a sleep inside fp-1 (default action: terminate).
# Its parent is this shell, so the SIGCHLD counts in the initial netns.
inum=$(ns_inum fp-1)
ip netns exec fp-1 sleep 1000 &
sleeper=$!
for ((i = 0; i < 100; i++)); do
	[ "$(stat -L -c %i /proc/$sleeper/ns/net 2>/dev/null)" = "$inum" ] &&
		[ "$(cat /proc/$sleeper/comm 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
kill -USR1 $sleeper
wait $sleeper 2>/dev/null
sleeper=
check "one signal: sig_rows" 1 "$(raw_field netns netns sig_rows inum="$inum")"
check "one signal: ev_chunks" 1 "$(raw_field netns netns ev_chunks inum="$inum")"
check "one signal: alloc_failed" 0 "$(raw_field netns netns alloc_failed inum="$inum")"
check "one signal: SIGUSR1 generated" 1 "$(raw_field signals sig generated inum="$inum" signo=10)"
check "one signal: one event" 1 "$(grep -c "^ev inum=$inum " $NSP_DEBUGFS/events)"
check "the tool: nsprobe.sig_rows, ev_chunks, alloc_failed" "1 1 0" \
	"$(nsp_json show --netns fp-1 | jq -r '.netns[0].nsprobe | "\(.sig_rows) \(.ev_chunks) \(.alloc_failed)"')"
inum2=$(ns_inum fp-2)
check "the netns beside it still has no rows" 0 "$(raw_field netns netns sig_rows inum="$inum2")"

# A reset keeps the row and baselines it; a netns deleted frees its rows.
echo "reset inum=$inum" >$NSP_DEBUGFS/control
check "after reset: sig_rows" 1 "$(raw_field netns netns sig_rows inum="$inum")"
check "after reset: no sig record" "" "$(raw_field signals sig generated inum="$inum")"

cleanup
for ((i = 0; i < 300; i++)); do
	[ "$(grep -c '^netns ' $NSP_DEBUGFS/netns)" -le 1 ] && break
	sleep 0.1
done
check "deleted netns leave no record" 1 "$(grep -c '^netns ' $NSP_DEBUGFS/netns)"
check "stats alloc_failed" 0 "$(raw_field stats stats alloc_failed)"
nsp_unload
check "dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
