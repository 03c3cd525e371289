#!/bin/bash
# Namespace churn: CYCLES times, a fresh pair of netns with a veth pair,
# C datagrams (C varies per cycle), then both netns deleted. Every cycle
# reads as a fresh netns (a cookie never seen before, even when the kernel
# reuses an inum) with its own exact counts; a deleted netns leaves no
# record behind; dmesg stays clean. With latency=1, so the histograms and
# the matcher churn too.
#
# The cycles run in rounds of PAIRS (NSP_CHURN_PAIRS, default 4) independent
# pairs, created, checked, sent to and deleted together: each pair is still
# a cycle of its own (its own two netns, count and checks), but a round
# costs about 5 processes per pair instead of ~45 per cycle, which under
# TCG was the whole cost of the test. One "ip -batch" adds every netns and
# veth pair of a round and one deletes them; one process per netns, entered
# with "nsenter --net" (a plain setns: "ip netns exec" and "ip -n" also
# remount sysfs), turns IPv6 off there as ns_new does (all= and
# default.disable_ipv6=1), before the veth end goes up, then configures it
# with "ip -batch"; bash itself reads the debugfs files, once per round.
# (net.core.devconf_inherit_init_net cannot carry disable_ipv6 into a new
# netns: addrconf_init_net() resets the default's to the module parameter.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
CYCLES=${NSP_CHURN_CYCLES:-200} S=64 PAIRS=${NSP_CHURN_PAIRS:-4}
MAC_A=02:88:00:00:00:01 MAC_B=02:88:00:00:00:02

veth_setup latency=1

# Run in a netns, stdin an "ip -batch" script: IPv6 off, then the batch.
V6OFF='echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 &&
	echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 && exec ip -batch -'

# read_netns: ns_cookie[INUM] and ns_tx[INUM] of every netns record (the
# first one of an inum, as raw_field takes it). No fork.
declare -A ns_cookie ns_tx
read_netns() {
	local lines line ino
	ns_cookie=() ns_tx=()
	mapfile -t lines <"$NSP_DEBUGFS/netns" || die "cannot read $NSP_DEBUGFS/netns"
	for line in "${lines[@]}"; do
		[[ $line =~ ^netns\ inum=([0-9]+)\ cookie=([0-9]+)( |$) ]] || continue
		ino=${BASH_REMATCH[1]}
		[ -z "${ns_cookie[$ino]:-}" ] || continue
		ns_cookie[$ino]=${BASH_REMATCH[2]}
		if [[ $line =~ \ tx_packets=([0-9]+)( |$) ]]; then
			ns_tx[$ino]=${BASH_REMATCH[1]}
		else
			ns_tx[$ino]="ERR(no tx_packets)"
		fi
	done
}

# read_va_tx: dev_tx[INUM/COOKIE] = tx_packets of the device va there.
declare -A dev_tx
read_va_tx() {
	local lines line key
	dev_tx=()
	mapfile -t lines <"$NSP_DEBUGFS/devices" || die "cannot read $NSP_DEBUGFS/devices"
	for line in "${lines[@]}"; do
		[[ $line =~ ^dev\ inum=([0-9]+)\ cookie=([0-9]+)\ ifindex=-?[0-9]+\ name=va\  ]] || continue
		key=${BASH_REMATCH[1]}/${BASH_REMATCH[2]}
		if [[ $line =~ \ tx_packets=([0-9]+)( |$) ]]; then
			dev_tx[$key]=${BASH_REMATCH[1]}
		else
			dev_tx[$key]="ERR(no tx_packets)"
		fi
	done
}

# vb_rx NS: rx_packets of vb in netns NS, from its /proc/net/dev.
vb_rx() {
	# shellcheck disable=SC2016 # awk's own $1, $3
	nsenter --net="/run/netns/$1" awk '$1 == "vb:" { print $3 }' /proc/net/dev
}

declare -A seen_cookie seen_inum
bad_count=0 bad_fresh=0 bad_left=0 reused=0 v6_checked=0
for ((c0 = 1; c0 <= CYCLES; c0 += PAIRS)); do
	k=$((CYCLES - c0 + 1 < PAIRS ? CYCLES - c0 + 1 : PAIRS))
	A=() B=() N=() batch=
	for ((i = 0; i < k; i++)); do
		c=$((c0 + i))
		A[i]=cva$c B[i]=cvb$c N[i]=$((c % 7 + 1))
		NSP_NETNS+=("${A[i]}" "${B[i]}")
		batch+="netns add ${A[i]}"$'\n'"netns add ${B[i]}"$'\n'
		batch+="link add va netns ${A[i]} address $MAC_A type veth peer name vb netns ${B[i]} address $MAC_B"$'\n'
	done
	ip -batch - <<<"$batch" || die "cycles $c0..: ip -batch (netns and veth) failed"
	pids=()
	for ((i = 0; i < k; i++)); do
		nsenter --net="/run/netns/${A[i]}" sh -c "$V6OFF" <<-EOF &
			link set lo up
			addr add 10.88.0.1/24 dev va
			link set va up
			neigh replace 10.88.0.2 dev va nud permanent lladdr $MAC_B
		EOF
		pids+=($!)
		nsenter --net="/run/netns/${B[i]}" sh -c "$V6OFF" <<-EOF &
			link set lo up
			addr add 10.88.0.2/24 dev vb
			link set vb up
			neigh replace 10.88.0.1 dev vb nud permanent lladdr $MAC_A
		EOF
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || die "cycles $c0..: configuring a netns failed"
	done
	if [ $v6_checked = 0 ]; then
		check "IPv6 off on va and vb of a new netns" "1 1" \
			"$(nsenter --net="/run/netns/${A[0]}" cat /proc/sys/net/ipv6/conf/va/disable_ipv6) $(nsenter --net="/run/netns/${B[0]}" cat /proc/sys/net/ipv6/conf/vb/disable_ipv6)"
		v6_checked=1
	fi
	paths=()
	for ((i = 0; i < k; i++)); do
		paths+=("/run/netns/${A[i]}" "/run/netns/${B[i]}")
	done
	mapfile -t inums <<<"$(stat -L -c %i "${paths[@]}")"
	[ ${#inums[@]} = $((2 * k)) ] || die "cycles $c0..: stat of the netns failed"
	read_netns
	for ((i = 0; i < 2 * k; i++)); do
		ino=${inums[i]} c=$((c0 + i / 2))
		[ -n "${seen_inum[$ino]:-}" ] && reused=$((reused + 1))
		seen_inum[$ino]=1
		cookie=${ns_cookie[$ino]:-}
		if [ -z "$cookie" ] || [ -n "${seen_cookie[$cookie]:-}" ] ||
			[ "${ns_tx[$ino]:-}" != 0 ]; then
			bad_fresh=$((bad_fresh + 1))
			echo "  cycle $c: netns $ino cookie '$cookie' is not fresh"
		fi
		[ -z "$cookie" ] || seen_cookie[$cookie]=1
	done
	pids=()
	for ((i = 0; i < k; i++)); do
		# no sink: the peer drops them
		nsenter --net="/run/netns/${A[i]}" nsp-udp send 10.88.0.2 9 "${N[i]}" $S 2>/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	# nsp-udp returns once veth_xmit ran for every datagram; the peer
	# receives later, in softirq: poll its counter.
	pending=()
	for ((i = 0; i < k; i++)); do pending+=("$i"); done
	for ((t = 0; t < 300 && ${#pending[@]} > 0; t++)); do
		((t == 0)) || sleep 0.1
		left=()
		for i in "${pending[@]}"; do
			[ "$(vb_rx "${B[i]}")" -ge "${N[i]}" ] 2>/dev/null || left+=("$i")
		done
		pending=("${left[@]}")
	done
	for i in "${pending[@]}"; do
		die "cycle $((c0 + i)): vb did not receive ${N[i]}"
	done
	read_va_tx
	for ((i = 0; i < k; i++)); do
		ia=${inums[2 * i]}
		got=${dev_tx[$ia/${ns_cookie[$ia]:-}]:-}
		if [ "$got" != "${N[i]}" ]; then
			bad_count=$((bad_count + 1))
			echo "  cycle $((c0 + i)): netns $ia va tx_packets $got, expected ${N[i]}"
		fi
	done
	batch=
	for n in "${NSP_NETNS[@]}"; do
		batch+="netns del $n"$'\n'
	done
	ip -batch - <<<"$batch" || die "cycles $c0..: ip -batch (netns del) failed"
	NSP_NETNS=()
	(((c0 - 1) / 25 != (c0 + k - 1) / 25)) && echo "  ... $(((c0 + k - 1) / 25 * 25)) cycles"
done
echo "  ($CYCLES cycles, $reused netns reused an inum)"
# The kernel frees a netns asynchronously (cleanup_net() in a workqueue):
# wait for the last one once, then no cookie of any cycle may be listed.
only_init_netns() { [ "$(nsp_read netns | grep -c '^netns ')" -le 1 ]; }
wait_until 30 only_init_netns
read_netns
declare -A listed
for cookie in "${ns_cookie[@]}"; do listed[$cookie]=1; done
for cookie in "${!seen_cookie[@]}"; do
	if [ -n "${listed[$cookie]:-}" ]; then
		bad_left=$((bad_left + 1))
		echo "  netns cookie $cookie still listed"
	fi
done
check "every cycle a fresh netns (new cookie, zero counts)" 0 $bad_fresh
check "every cycle exact tx_packets" 0 $bad_count
check "deleted netns leave no record" 0 $bad_left
check "no device record left" "" \
	"$(nsp_read devices | awk -v h="inum=$(stat -L -c %i /proc/self/ns/net)" '/^ERR\(/ || ($1 == "dev" && $2 != h)')"
check "alloc_failed" 0 "$(raw_field stats stats alloc_failed)"
nsp_unload
check "dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
