# shellcheck shell=bash
# Helpers for the t_veth_*.sh tests (issue 3), on top of lib.sh.
#   veth_on_exit          the start of a t_veth_* test: NSP_TRACE=1 traces
#                         it (set -x); on exit, the sinks stop, its netns go,
#                         nsprobe and veth.ko are unloaded
#   veth_setup [PARAMS]   veth_on_exit, then veth.ko loaded, then nsprobe
#                         with PARAMS
#   veth_pair A B         two fresh netns (names in VAR A and B), a veth pair
#                         va (10.88.0.1, in A) <-> vb (10.88.0.2, in B), up,
#                         IPv6 off, static neighbours: only our frames cross
#   udp_sink NS PORT      a sink in NS; waits until it is bound
#   udp_send NS ADDR PORT N SIZE   N datagrams, one nsp-udp call
#   dev_ctr NS DEV FIELD  a debugfs dev counter of DEV in netns NS
#   ns_ctr NS FIELD       a debugfs netns counter
#   kstat NS DEV FIELD    /sys/class/net/DEV/statistics/FIELD inside NS
#   probe_field HOOK FIELD  a field of the debugfs probe record of HOOK

veth_cleanup() {
	sinks_stop
	ns_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
	modprobe -r veth 2>/dev/null
}

veth_on_exit() {
	[ -n "${NSP_TRACE:-}" ] && set -x
	on_exit veth_cleanup
}

veth_setup() {
	veth_on_exit
	modprobe veth
	nsp_load "$@"
}

veth_pair() {
	local -n _vp_a=$1 _vp_b=$2
	ns_new _vp_a va
	ns_new _vp_b vb
	ip link add va netns "$_vp_a" type veth peer name vb netns "$_vp_b" || die "ip link add"
	ip -n "$_vp_a" addr add 10.88.0.1/24 dev va
	ip -n "$_vp_b" addr add 10.88.0.2/24 dev vb
	ip -n "$_vp_a" link set va up
	ip -n "$_vp_b" link set vb up
	ip -n "$_vp_a" neigh replace 10.88.0.2 dev va nud permanent \
		lladdr "$(ip -n "$_vp_b" -br link show vb | awk '{print $3}')"
	ip -n "$_vp_b" neigh replace 10.88.0.1 dev vb nud permanent \
		lladdr "$(ip -n "$_vp_a" -br link show va | awk '{print $3}')"
}

NSP_SINKS=()
udp_sink() {
	local ready=/tmp/ready-$1-$2
	rm -f "$ready"
	ip netns exec "$1" nsp-udp sink "$2" "$ready" </dev/null >/tmp/sink-$1-$2 2>&1 &
	NSP_SINKS+=($!)
	wait_for_file "$ready"
}

sinks_stop() {
	[ ${#NSP_SINKS[@]} -gt 0 ] && kill -TERM "${NSP_SINKS[@]}" 2>/dev/null
	wait "${NSP_SINKS[@]}" 2>/dev/null
	NSP_SINKS=()
}

udp_send() {
	ip netns exec "$1" nsp-udp send "$2" "$3" "$4" "$5"
}

# dev_ctr: "absent" when the netns has no record of DEV (checks expect
# that); ERR(...) when the netns is gone or the file unreadable.
dev_ctr() {
	local v inum
	inum=$(ns_inum "$1") || { echo "$inum"; return 2; }
	v=$(raw_field devices dev "$3" inum="$inum" name="$2")
	case $? in
	0) echo "$v" ;;
	1) echo absent ;;
	*) echo "$v"; return 2 ;;
	esac
}

# ns_ctr: every netns has a record; a missing one is ERR(...).
ns_ctr() {
	local v inum
	inum=$(ns_inum "$1") || { echo "$inum"; return 2; }
	v=$(raw_field netns netns "$2" inum="$inum")
	case $? in
	0) echo "$v" ;;
	1) echo "ERR(no netns record for $1)"; return 1 ;;
	*) echo "$v"; return 2 ;;
	esac
}

kstat() {
	local v
	v=$(ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3" 2>/dev/null) ||
		{ echo "ERR(no statistics/$3 of $2 in $1)"; return 2; }
	echo "$v"
}

# probe_field: every hook has a record; a missing one is ERR(...).
probe_field() {
	local v
	v=$(raw_field probes probe "$2" name="$1")
	case $? in
	0) echo "$v" ;;
	1) echo "ERR(no probe record $1)"; return 1 ;;
	*) echo "$v"; return 2 ;;
	esac
}

# wait_kstat NS DEV FIELD N: poll until the counter reaches N.
wait_kstat() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(kstat "$1" "$2" "$3")" -ge "$4" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# dmesg_clean: no kernel complaint since scripts/vm/guest-init started the
# script (its mark in the log), judged like guest-init's own verdict, by
# scripts/vm/kernel-log-check: what a debug kernel reports while booting is
# not the test's doing, an OOM kill's report is no complaint. The whole log
# if the mark is gone. Prints the complaints; fails on any, and when dmesg
# or the judge itself fails.
dmesg_clean() {
	local mark='nsprobe-vm: the script starts' log
	log=$(dmesg) || { echo "dmesg_clean: dmesg failed"; return 2; }
	grep -qF "$mark" <<<"$log" && log=$(sed -n "/$mark/,\$p" <<<"$log")
	"$(dirname "${BASH_SOURCE[0]}")/../../scripts/vm/kernel-log-check" <<<"$log"
}
