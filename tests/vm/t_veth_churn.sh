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
# costs about 3 processes per pair and 2 per round instead of ~45 per
# cycle, which under TCG was the whole cost of the test. One "ip -batch"
# adds every netns and veth pair of a round and one deletes them; a perl
# coprocess (netns_do, below) enters each netns with setns(2) to turn IPv6
# off and start its "ip -batch", then starts the senders and polls the
# peers' rx counters; bash itself reads the debugfs files, once per round.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
CYCLES=${NSP_CHURN_CYCLES:-200} S=64 PAIRS=${NSP_CHURN_PAIRS:-4}
MAC_A=02:88:00:00:00:01 MAC_B=02:88:00:00:00:02
CFG_A="link set lo up
addr add 10.88.0.1/24 dev va
link set va up
neigh replace 10.88.0.2 dev va nud permanent lladdr $MAC_B"
CFG_B="link set lo up
addr add 10.88.0.2/24 dev vb
link set vb up
neigh replace 10.88.0.1 dev vb nud permanent lladdr $MAC_A"

veth_setup latency=1

# A perl helper, started once (a coprocess), enters the netns of a round
# with setns(2) (no process per netns to get in, and no sysfs remount as
# with "ip netns exec" or "ip -n"), and goes back to the test's netns after
# each command. netns_do CMD ARGS... sends it one command; its reply lines
# go into ND_OUT; the status is the command's.
#   config A B A B...: in each netns, IPv6 off (all= and default.
#     disable_ipv6=1, as ns_new does) before the veth end goes up, then
#     "ip -batch" with CFG_A or CFG_B, all of them at once; replies the
#     inum of each netns, in order.
#   send SIZE A B N A B N...: in each A, "nsp-udp send 10.88.0.2 9 N SIZE",
#     all at once, then polls (every 0.1 s, up to 30 s) until vb in each B
#     has received at least N (/proc/net/dev: the receive side runs later,
#     in softirq); replies the pairs that did not, and fails.
# shellcheck disable=SC2016 # perl's own $
NETNS_PL='
use strict; use warnings;
use constant CLONE_NEWNET => 0x40000000;
$| = 1;
my ($arch, $cfg_a, $cfg_b) = splice(@ARGV);
my $SYS_setns = { x86_64 => 308, aarch64 => 268 }->{$arch}
	// die "netns helper: which setns syscall on $arch?\n";
sub setns_fd { syscall($SYS_setns, fileno($_[0]), CLONE_NEWNET) == 0 or die "setns: $!\n"; }
sub enter {
	open(my $fd, "<", "/run/netns/$_[0]") or die "netns $_[0]: $!\n";
	setns_fd($fd);
}
open(my $home, "<", "/proc/self/ns/net") or die "netns helper: $!\n";
sub config {
	my @ns = @_;
	my @ip;
	for my $i (0 .. $#ns) {
		enter($ns[$i]);
		for my $k ("all", "default") {
			my $f = "/proc/sys/net/ipv6/conf/$k/disable_ipv6";
			my $s;
			open($s, ">", $f) && print($s "1\n") && close($s) or die "$ns[$i]: $f: $!\n";
		}
		open(my $p, "|-", "ip", "-batch", "-") or die "$ns[$i]: ip: $!\n";
		print {$p} ($i % 2 ? $cfg_b : $cfg_a) . "\n";
		push @ip, [$ns[$i], $p];
	}
	my $bad = 0;
	for (@ip) {
		next if close($_->[1]);
		print "$_->[0]: ip -batch failed\n";
		$bad = 1;
	}
	print((stat "/run/netns/$_")[1] // die("stat $_: $!\n"), "\n") for @ns;
	return $bad;
}
sub send_poll {
	my ($size, @t) = @_;
	my (@kids, @pend);
	while (my ($a, $b, $n) = splice(@t, 0, 3)) {
		enter($a);
		my $pid = fork // die "fork: $!\n";
		if (!$pid) {
			open(STDIN, "<", "/dev/null");
			open(STDOUT, ">", "/dev/null");
			open(STDERR, ">", "/dev/null");	# no sink: the peer drops them
			exec("nsp-udp", "send", "10.88.0.2", 9, $n, $size) or exit 127;
		}
		push @kids, $pid;
		push @pend, [$b, $n];
	}
	waitpid($_, 0) for @kids;
	for (my $try = 0; @pend && $try < 300; $try++) {
		select(undef, undef, undef, 0.1) if $try;
		@pend = grep {
			my ($b, $n) = @$_;
			enter($b);
			open(my $d, "<", "/proc/self/net/dev") or die "$b: /proc/self/net/dev: $!\n";
			my ($rx) = map { /^\s*vb:\s*\d+\s+(\d+)/ ? $1 : () } <$d>;
			!defined($rx) || $rx < $n;
		} @pend;
	}
	print "$_->[0]: vb did not receive $_->[1]\n" for @pend;
	return @pend ? 1 : 0;
}
while (my $line = <STDIN>) {
	my ($cmd, @args) = split " ", $line;
	my $rc = eval {
		$cmd eq "config" ? config(@args) :
		$cmd eq "send" ? send_poll(@args) : die "no command $cmd\n";
	};
	if (!defined $rc) { print "ERR($@)"; $rc = 2; }
	setns_fd($home);
	print "END $rc\n";
}
'
coproc NSD { perl -e "$NETNS_PL" "$HOSTTYPE" "$CFG_A" "$CFG_B"; }
netns_do() {
	local line
	ND_OUT=()
	echo "$*" >&"${NSD[1]}" || { ND_OUT=("ERR(the netns helper is gone)"); return 2; }
	while IFS= read -r -t 300 -u "${NSD[0]}" line; do
		case $line in
		"END "*) return "${line#END }" ;;
		*) ND_OUT+=("$line") ;;
		esac
	done
	ND_OUT+=("ERR(no answer from the netns helper)")
	return 2
}
churn_cleanup() {
	[ -n "${NSD_PID:-}" ] && kill "$NSD_PID" 2>/dev/null
	veth_cleanup
}
on_exit churn_cleanup

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
	ns=()
	for ((i = 0; i < k; i++)); do ns+=("${A[i]}" "${B[i]}"); done
	netns_do config "${ns[@]}" ||
		die "cycles $c0..: configuring the netns failed: ${ND_OUT[*]}"
	inums=("${ND_OUT[@]}")
	[ ${#inums[@]} = $((2 * k)) ] || die "cycles $c0..: no inum for every netns: ${inums[*]}"
	if [ $v6_checked = 0 ]; then
		check "IPv6 off on va and vb of a new netns" "1 1" \
			"$(nsenter --net="/run/netns/${A[0]}" cat /proc/sys/net/ipv6/conf/va/disable_ipv6) $(nsenter --net="/run/netns/${B[0]}" cat /proc/sys/net/ipv6/conf/vb/disable_ipv6)"
		v6_checked=1
	fi
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
	sends=()
	for ((i = 0; i < k; i++)); do sends+=("${A[i]}" "${B[i]}" "${N[i]}"); done
	netns_do send $S "${sends[@]}" || die "cycles $c0..: ${ND_OUT[*]}"
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
