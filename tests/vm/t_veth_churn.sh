#!/bin/bash
# Namespace churn: CYCLES times, a fresh pair of netns with a veth pair,
# C datagrams (C varies per cycle), then both netns deleted. Every cycle
# reads as a fresh netns (a cookie never seen before, even when the kernel
# reuses an inum) with its own exact counts; a deleted netns leaves no
# record behind; dmesg stays clean. With latency=1, so the histograms and
# the matcher churn too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
CYCLES=${NSP_CHURN_CYCLES:-200} S=64

veth_setup latency=1
declare -A seen_cookie
bad_count=0 bad_fresh=0 bad_left=0 reused=0
declare -A seen_inum
for ((c = 1; c <= CYCLES; c++)); do
	n=$((c % 7 + 1))
	veth_pair A B
	ia=$(ns_inum "$A")
	cookie=$(raw_field netns netns cookie inum="$ia")
	[ -n "${seen_inum[$ia]:-}" ] && reused=$((reused + 1))
	seen_inum[$ia]=1
	if [ -z "$cookie" ] || [ -n "${seen_cookie[$cookie]:-}" ] ||
		[ "$(raw_field netns netns tx_packets inum="$ia")" != 0 ]; then
		bad_fresh=$((bad_fresh + 1))
		echo "  cycle $c: netns $ia cookie '$cookie' is not fresh"
	fi
	seen_cookie[$cookie]=1
	ip netns exec "$A" nsp-udp send 10.88.0.2 9 $n $S 2>/dev/null	# no sink: the peer drops them
	wait_kstat "$B" vb rx_packets $n || die "cycle $c: vb did not receive $n"
	got=$(raw_field devices dev tx_packets inum="$ia" cookie="$cookie" name=va)
	if [ "$got" != $n ]; then
		bad_count=$((bad_count + 1))
		echo "  cycle $c: netns $ia va tx_packets $got, expected $n"
	fi
	ns_cleanup
	((c % 25 == 0)) && echo "  ... $c cycles"
done
echo "  ($CYCLES cycles, $reused reused an inum)"
# The kernel frees a netns asynchronously (cleanup_net() in a workqueue):
# wait for the last one once, then no cookie of any cycle may be listed.
only_init_netns() { [ "$(nsp_read netns | grep -c '^netns ')" -le 1 ]; }
wait_until 30 only_init_netns
for cookie in "${!seen_cookie[@]}"; do
	if [ -n "$(raw_field netns netns cookie cookie="$cookie")" ]; then
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
