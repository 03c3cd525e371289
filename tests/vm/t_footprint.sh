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

# "ip -batch" adds (and deletes) them all in one process: one process per
# netns was most of this test's time under TCG. -force goes on after a
# failed line; what counts is which netns exist afterwards.
fp_batch() { # add|del
	local i
	for ((i = 1; i <= N; i++)); do echo "netns $1 fp-$i"; done |
		ip -force -batch - 2>&1 | grep -v '^$' | head -n 5
}
cleanup() {
	[ -n "${sleeper:-}" ] && kill -KILL "$sleeper" 2>/dev/null
	fp_batch del >/dev/null
}
on_exit cleanup

nsp_load
fp_batch add
made=$(find /run/netns -maxdepth 1 -name 'fp-*' | wc -l)
check "ip netns add x $N with the module loaded" 0 $((N - made))

# Each netns's record, by inum: one read of the netns file, one stat.
declare -A rec
while read -r line; do
	[[ $line =~ ^netns\ inum=([0-9]+)\  ]] && rec[${BASH_REMATCH[1]}]=$line
done <$NSP_DEBUGFS/netns
bad=0
while read -r inum path; do
	[[ ${rec[$inum]:-} == *" devices=0 "*" sig_rows=0 ev_chunks=0 alloc_failed=0"* ]] || {
		bad=$((bad + 1))
		echo "  netns $path: ${rec[$inum]:-no record}"
	}
done < <(for ((i = 1; i <= N; i++)); do echo "/run/netns/fp-$i"; done | xargs stat -L -c '%i %n')
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
