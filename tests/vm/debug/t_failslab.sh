#!/bin/bash
# Allocation failures in nsprobe never fail what it watches, and are never
# silent (issue 10, item 1). Debug kernel only (make check-debug): Debian's
# kernels have no fault injection (CONFIG_FAULT_INJECTION is off).
#
# failslab and fail_page_alloc fail every allocation whose call stack passes
# through nsprobe's text (the stack-trace filter, require-start/-end, on the
# module's text as /proc/kallsyms gives it), GFP_KERNEL included, while:
#   1. 10 "ip netns add" and 10 "unshare -n" run: all 20 must succeed. The
#      pernet state is the netns core's own allocation (pernet .size); the
#      10 short-lived netns then die, and the post-mortem record of each is
#      lost and counted (stats postmortem_lost +10).
#   2. a veth pair va (netns A) <-> vb (netns B) is created and carries
#      N datagrams: it works; nsprobe tracks neither device (devices=0),
#      counts the loss in each netns (alloc_failed=1) and va's packets in
#      veth_untracked (+N); "show" says INCOMPLETE for both netns.
#   3. 31 real-time signals (34..64) go to an ignoring process in each of 3
#      netns: each signal's first count needs a row from the 64-row pool,
#      whose refill (a work item, GFP_KERNEL) now fails. Every counter
#      increment is counted or counted as lost: per netns, the sum of its
#      counters plus its alloc_failed is exactly 31 x k, k the increments
#      one such signal makes (measured before, in a control netns), and at
#      least 93 - 64 signals' worth are lost (the pool holds at most 64).
# Then, injection off: a new veth pair is tracked and counts exactly, and a
# netns whose signal rows were lost gets a row again once the pool refills.
# The kernel log stays clean (no WARNING, no KASAN, no lockdep).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_veth.sh"
. "$(dirname "$0")/../lib_sig.sh"
N=10 S=100
FI=/sys/kernel/debug

[ -d $FI/failslab ] && [ -e $FI/failslab/require-start ] ||
	die "no failslab with a stack-trace filter (not the debug kernel?)"

SLEEPERS=()
fs_cleanup() {
	fi_off 2>/dev/null
	[ ${#SLEEPERS[@]} -gt 0 ] && kill -KILL "${SLEEPERS[@]}" 2>/dev/null
	veth_cleanup
}
on_exit fs_cleanup

# fi_on: fail every allocation made with nsprobe's text on the stack, but
# not single_open()'s: the test reads nsprobe's debugfs files (single_open()
# called from the module's open) while injection is on. Addresses stay hex
# strings (awk's doubles would round them); bash arithmetic is 64-bit.
fi_on() {
	local lo hi so next d
	# here-strings, not < <(...): the guest has no /dev/fd
	read -r lo hi <<<"$(awk '$4 == "[nsprobe]" && $2 ~ /^[tT]$/ { print $1 }' /proc/kallsyms |
		sort | sed -n '1p;$p' | paste -sd' ')"
	[ -n "$hi" ] || die "no nsprobe text symbols in /proc/kallsyms"
	read -r so next <<<"$(awk '$2 ~ /^[tT]$/ { print $1, $3 }' /proc/kallsyms | sort |
		awk '$2 == "single_open" { a = $1; getline; print a, $1; exit }')"
	[ -n "$next" ] || die "no single_open in /proc/kallsyms"
	for d in failslab fail_page_alloc; do
		echo 0 >$FI/$d/probability
		echo "0x$lo" >$FI/$d/require-start
		printf '0x%x\n' $((0x$hi + 4096)) >$FI/$d/require-end
		echo "0x$so" >$FI/$d/reject-start
		echo "0x$next" >$FI/$d/reject-end
		echo 32 >$FI/$d/stacktrace-depth
		echo N >$FI/$d/task-filter
		echo N >$FI/$d/ignore-gfp-wait
		echo 0 >$FI/$d/verbose
		echo 0 >$FI/$d/space
		echo 1 >$FI/$d/interval
		echo -1 >$FI/$d/times
	done
	echo 0 >$FI/fail_page_alloc/min-order
	echo N >$FI/fail_page_alloc/ignore-gfp-highmem
	echo 100 >$FI/failslab/probability
	echo 100 >$FI/fail_page_alloc/probability
}

fi_off() {
	echo 0 >$FI/failslab/probability
	echo 0 >$FI/fail_page_alloc/probability
}

stat_field() { raw_field stats stats "$1"; }

# row_sum INUM SIGNO: the sum of every counter of a signal row (0 if the
# netns has none for SIGNO).
row_sum() {
	local text
	text=$(nsp_read signals) || { echo "$text"; return 2; }
	awk -v inum="$1" -v signo="$2" '
		$1 == "sig" && $2 == "inum=" inum && $4 == "signo=" signo {
			for (i = 5; i <= NF; i++) { split($i, p, "="); s += p[2] } }
		END { print s + 0 }' <<<"$text"
}

# ns_sig_total INUM: row_sum over signals 34..64, plus the netns' alloc_failed.
ns_sig_total() {
	local s t=0 v
	for ((s = 34; s <= 64; s++)); do
		v=$(row_sum "$1" $s) || { echo "$v"; return 2; }
		t=$((t + v))
	done
	v=$(raw_field netns netns alloc_failed "inum=$1") || { echo "ERR(no netns $1)"; return 2; }
	echo $((t + v))
}

# sleeper VAR NETNS: a process in NETNS that ignores signals 34..64.
sleeper() {
	local -n _sl=$1
	ip netns exec "$2" bash -c "trap '' {34..64}; exec sleep 1000" &
	_sl=$!
	SLEEPERS+=("$_sl")
	wait_until 10 ignores_rt "$_sl" || die "sleeper $_sl does not ignore 34..64"
}
ignores_rt() { # SigIgn of PID has 34..64 (signal n is bit n-1)
	local m
	m=$(awk '/^SigIgn:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$m" ] && [ $(((0x$m >> 33) & 0x7fffffff)) -eq $((0x7fffffff)) ]
}

modprobe veth
nsp_load sig_events=0

# --- The control: how many counter increments one ignored RT signal makes.
ns_new C0 ctl
sleeper p0 "$C0"
c0=$(ns_inum "$C0")
kill -n 34 "$p0"
k=$(row_sum "$c0" 34)
check "control: one ignored SIGRTMIN counted in its netns" 1 "$(sig_ctr "$c0" 34 generated)"
check "control: ... as ignored (SIG_IGN)" 1 "$(sig_ctr "$c0" 34 ignored_sig_ign)"
echo "  (k = $k counter increments per ignored signal)"

ns_new A va
ns_new B vb
ns_new S1 fs1
ns_new S2 fs2
ns_new S3 fs3
sleeper p1 "$S1"
sleeper p2 "$S2"
sleeper p3 "$S3"
ia=$(ns_inum "$A") ib=$(ns_inum "$B")
i1=$(ns_inum "$S1") i2=$(ns_inum "$S2") i3=$(ns_inum "$S3")
for i in "$i1" "$i2" "$i3"; do
	check "netns $i: no signal rows yet" 0 "$(raw_field netns netns sig_rows "inum=$i")"
done
untracked0=$(stat_field veth_untracked)
pmlost0=$(stat_field postmortem_lost)

fi_on
echo "  fault injection on: failslab + fail_page_alloc on nsprobe's text"

# --- 1. Netns creation.
ok=0
for ((i = 0; i < 10; i++)); do
	ip netns add "fs-add-$i-$$" && ok=$((ok + 1))
	NSP_NETNS+=("fs-add-$i-$$")
done
check "1: ip netns add x10 under injection: all succeed" 10 "$ok"
ok=0
for ((i = 0; i < 10; i++)); do
	unshare -n true && ok=$((ok + 1))
done
check "1: unshare -n x10 under injection: all succeed" 10 "$ok"
pm_lost_is() { [ "$(stat_field postmortem_lost)" = "$1" ]; }
wait_until 60 pm_lost_is $((pmlost0 + 10))
check "1: the 10 dead netns' records lost, counted (postmortem_lost)" \
	$((pmlost0 + 10)) "$(stat_field postmortem_lost)"

# --- 2. A veth pair: created, working, untracked and counted as such.
ip link add va netns "$A" type veth peer name vb netns "$B"
check "2: ip link add veth under injection succeeds" "exit 0" "exit $?"
ip -n "$A" addr add 10.88.0.1/24 dev va
ip -n "$B" addr add 10.88.0.2/24 dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up
ip -n "$A" neigh replace 10.88.0.2 dev va nud permanent \
	lladdr "$(ip -n "$B" -br link show vb | awk '{print $3}')"
ip -n "$B" neigh replace 10.88.0.1 dev vb nud permanent \
	lladdr "$(ip -n "$A" -br link show va | awk '{print $3}')"
udp_sink "$B" 5001
udp_send "$A" 10.88.0.2 5001 $N $S
check "2: vb received the $N datagrams" 0 "$(wait_kstat "$B" vb rx_packets $N; echo $?)"
check "2: vb rx_packets" $N "$(kstat "$B" vb rx_packets)"

# --- 3. Signals with the row pool running dry.
for p in "$p1" "$p2" "$p3"; do
	for ((s = 34; s <= 64; s++)); do
		kill -n $s "$p"
	done
done

fi_off
echo "  fault injection off"

check "2: netns A tracks no device" 0 "$(ns_ctr "$A" devices)"
check "2: netns B tracks no device" 0 "$(ns_ctr "$B" devices)"
check "2: netns A alloc_failed (va not tracked)" 1 "$(ns_ctr "$A" alloc_failed)"
check "2: netns B alloc_failed (vb not tracked)" 1 "$(ns_ctr "$B" alloc_failed)"
check "2: va's packets counted in veth_untracked" $((untracked0 + N)) \
	"$(stat_field veth_untracked)"
show_nsp() { # INUM FIELD: a field of netns INUM's "nsprobe" object in show --json
	nsp_json show 2>/dev/null | jq -r --argjson i "$1" --arg f "$2" \
		'[.netns[] | select(.inum == $i) | .nsprobe[$f]] | if length == 1 then first else "ERR(\(length) records)" end'
}
check "2: show --json: netns A alloc_failed" 1 "$(show_nsp "$ia" alloc_failed)"
check "2: show --json: netns B alloc_failed" 1 "$(show_nsp "$ib" alloc_failed)"
check "2: show: netns A is marked INCOMPLETE" 1 \
	"$("$NSPROBE" show --netns "inode:$ia" 2>&1 | grep -c 'INCOMPLETE: 1 counts lost')"

lost=0
for i in "$i1" "$i2" "$i3"; do
	check "3: netns $i: counters + alloc_failed = 31 x $k" $((31 * k)) "$(ns_sig_total "$i")"
	lost=$((lost + $(raw_field netns netns alloc_failed "inum=$i")))
done
check "3: at least (93 - 64) x $k increments lost (pool of 64)" yes \
	"$([ "$lost" -ge $((29 * k)) ] && [ $((lost % k)) -eq 0 ] && echo yes || echo "no ($lost)")"
check "3: show --json: netns $i3 alloc_failed as in debugfs" \
	"$(raw_field netns netns alloc_failed "inum=$i3")" "$(show_nsp "$i3" alloc_failed)"

# --- After: tracking and counting work again.
ns_new E ve
ns_new F vf
ip link add ve netns "$E" type veth peer name vf netns "$F" || die "veth after"
check "after: netns E tracks ve" 1 "$(ns_ctr "$E" devices)"
check "after: netns E alloc_failed" 0 "$(ns_ctr "$E" alloc_failed)"
# The netns whose row 64 was lost last: signal it until the refilled pool
# gives it a row; every attempt is counted or counted as lost.
tries=0
got_row() { kill -n 64 "$p3"; tries=$((tries + 1)); [ "$(row_sum "$i3" 64)" -gt 0 ]; }
if [ "$(row_sum "$i3" 64)" -gt 0 ]; then
	echo "  (netns $i3 kept its row for 64; the recovery check uses it anyway)"
fi
wait_until 20 got_row
check "after: netns $i3 has a row for signal 64 again" "$k" "$(row_sum "$i3" 64)"
check "after: netns $i3: counters + alloc_failed = (31 + $tries) x $k" \
	$(((31 + tries) * k)) "$(ns_sig_total "$i3")"

check "kernel log clean" "" "$(dmesg_clean)"
nsp_summary
