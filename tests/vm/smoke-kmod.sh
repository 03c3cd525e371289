#!/bin/bash
# smoke-kmod.sh KO: nsprobe.ko alone (no userspace tool), in a guest.
# usage: scripts/vm-run --kernel NAME tests/vm/smoke-kmod.sh build/kmod/NAME/nsprobe.ko
#
#   init netns                 smk1-XXXX                  smk2-XXXX
#                              va 10.99.0.1/24  <-veth->  vb 10.99.0.2/24
#                                                          sleep (SIGUSR1 ignored)
#
# Load with veth.ko absent (veth_xmit pending), create a veth (veth.ko
# loads: armed), exact ping counts per device and netns, a rename with an
# escaped name, signal outcomes attributed to the target's netns, control
# file parsing (bad input fails, never crashes), reset, a device moved to a
# third netns, rmmod/modprobe veth (gone/armed), and unloading nsprobe while
# a ping flood and a signal storm run. Exits non-zero on any mismatch;
# vm-run also fails the run on a WARNING/BUG/Oops in dmesg.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"

KO=${1:?usage: smoke-kmod.sh NSPROBE_KO}
export NSP_KO=$KO
D=$NSP_DEBUGFS
FORMAT_H=$here/../../include/nsprobe/format.h
PY=/usr/bin/python3
BG=()

cleanup() {
	local p
	for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ns_cleanup
	ip link del smk-a 2>/dev/null
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
}
on_exit cleanup

field() { raw_field "$@"; }
probe() { field probes probe "$2" name="$1"; }

# ctl STRING: write STRING to the control file in one write(2); prints "ok"
# or the errno name. STRING is a Python bytes literal body.
ctl() {
	"$PY" - "$D/control" "$1" <<'EOF'
import errno, os, sys
data = eval("b'" + sys.argv[2] + "'")
fd = os.open(sys.argv[1], os.O_WRONLY)
try:
    n = os.write(fd, data)
    print("ok" if n == len(data) else "short %d" % n)
except OSError as e:
    print(errno.errorcode[e.errno])
EOF
}

# wait_field WANT FILE TYPE FIELD KEY=VAL...: poll until the field is WANT.
wait_field() {
	local want=$1 i
	shift
	for ((i = 0; i < 100; i++)); do
		[ "$(field "$@")" == "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_sigign PID SIGNO: poll until PID is "sleep" and ignores SIGNO.
wait_sigign() {
	local pid=$1 bit=$((1 << ($2 - 1))) i ign
	for ((i = 0; i < 300; i++)); do
		ign=$(awk '/^SigIgn:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" == sleep ] &&
		   [ -n "$ign" ] && (( 0x$ign & bit )); then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

echo "== smoke-kmod [$(uname -r)]"
modprobe -r veth 2>/dev/null
check "veth.ko not loaded at start" 0 "$(grep -c '^veth ' /proc/modules)"

nsp_load
for f in version probes stats netns devices signals; do
	check_cmd "cat $f" cat "$D/$f"
	sed 's/^/    /' "$D/$f"
done
check "control is write-only (0200)" 200 "$(stat -c %a "$D/control")"
major=$(awk '$2 == "NSP_FORMAT_MAJOR" {print $3}' "$FORMAT_H")
minor=$(awk '$2 == "NSP_FORMAT_MINOR" {print $3}' "$FORMAT_H")
check "version" "nsprobe-format $major.$minor" "$(cat "$D/version")"
check "sig_generate armed" armed "$(probe sig_generate state)"
check "sig_generate symbol" __send_signal_locked "$(probe sig_generate symbol)"
check "sig_prepare: gone in 1.3 (sig_outcome reads drops)" "" "$(probe sig_prepare state)"
check "sig_ns_exit armed" "armed kprobe exit_task_namespaces" "$(probe sig_ns_exit state) $(probe sig_ns_exit kind) $(probe sig_ns_exit symbol)"
check "sig_ns_switch armed" "armed kprobe switch_task_namespaces" "$(probe sig_ns_switch state) $(probe sig_ns_switch kind) $(probe sig_ns_switch symbol)"
check "oom_victim armed" "armed tracepoint mark_victim" "$(probe oom_victim state) $(probe oom_victim kind) $(probe oom_victim symbol)"
check "veth_xmit pending" pending "$(probe veth_xmit state)"
check "veth_xmit err -ENOENT" -2 "$(probe veth_xmit err)"

# ---- veth.ko loads: the probe arms ------------------------------------------
ip link add smk-a type veth peer name smk-b || die "ip link add veth"
check "veth.ko loaded" 1 "$(grep -c '^veth ' /proc/modules)"
check "veth_xmit armed" armed "$(probe veth_xmit state)"
check "veth_xmit err 0" 0 "$(probe veth_xmit err)"
host=$(stat -L -c %i /proc/self/ns/net)
check "init netns: smk-a tracked" 0 "$(field devices dev tx_packets inum="$host" name=smk-a)"
check "init netns: smk-b tracked" 0 "$(field devices dev tx_packets inum="$host" name=smk-b)"
ip link del smk-a
check "init netns: smk-a untracked after delete" "" "$(field devices dev tx_packets name=smk-a)"

# ---- exact counts over a veth pair between two netns ------------------------
ns_new n1 smk1
ns_new n2 smk2
in1=$(ns_inum "$n1")
in2=$(ns_inum "$n2")
ip link add va netns "$n1" type veth peer name vb netns "$n2" || die "veth va/vb"
ip -n "$n1" addr add 10.99.0.1/24 dev va
ip -n "$n2" addr add 10.99.0.2/24 dev vb
ip -n "$n1" link set va up
ip -n "$n2" link set vb up
# Static neighbours: no ARP, so the counts are exactly the ICMP frames.
maca=$(ip netns exec "$n1" cat /sys/class/net/va/address)
macb=$(ip netns exec "$n2" cat /sys/class/net/vb/address)
ip -n "$n1" neigh replace 10.99.0.2 lladdr "$macb" dev va nud permanent
ip -n "$n2" neigh replace 10.99.0.1 lladdr "$maca" dev vb nud permanent
check "devices: va in netns 1" 0 "$(field devices dev tx_packets inum="$in1" name=va)"
check "netns 1 cookie is a number" 1 "$(field netns netns cookie inum="$in1" | grep -c '^[0-9]\+$')"

check_cmd "ping x3 va -> vb" ip netns exec "$n1" ping -c 3 -i 0.2 -W 5 10.99.0.2
# 3 echo requests from va, 3 replies from vb: 98 bytes each (14 + 20 + 8 + 56).
wait_field 3 devices dev tx_packets inum="$in2" name=vb
check "va tx_packets" 3 "$(field devices dev tx_packets inum="$in1" name=va)"
check "va tx_bytes" 294 "$(field devices dev tx_bytes inum="$in1" name=va)"
check "vb tx_packets" 3 "$(field devices dev tx_packets inum="$in2" name=vb)"
check "vb tx_bytes" 294 "$(field devices dev tx_bytes inum="$in2" name=vb)"
check "netns 1 devices" 1 "$(field netns netns devices inum="$in1")"
check "netns 1 tx_packets" 3 "$(field netns netns tx_packets inum="$in1")"
check "netns 2 tx_bytes" 294 "$(field netns netns tx_bytes inum="$in2")"
check "va ifindex matches" "$(ip netns exec "$n1" cat /sys/class/net/va/ifindex)" \
	"$(field devices dev ifindex inum="$in1" name=va)"

# Rename: '=' must be escaped as \075.
ip -n "$n1" link set va down
ip -n "$n1" link set va name 'v=a'
# (raw_field's awk -v would unescape the wanted value, so grep -F here.)
check "renamed device, escaped name" 1 \
	"$(grep -F "dev inum=$in1 " "$D/devices" | grep -cF ' name=v\075a tx_packets=3 ')"
ip -n "$n1" link set 'v=a' name va
ip -n "$n1" link set va up
ip -n "$n1" neigh replace 10.99.0.2 lladdr "$macb" dev va nud permanent

# ---- signals, attributed to the target's netns -------------------------------
ip netns exec "$n2" sh -c 'trap "" USR1; exec sleep 1000' &
spid=$!
BG+=("$spid")
wait_sigign "$spid" 10 || die "sleep did not start ignoring SIGUSR1"
kill -USR1 "$spid"
kill -CHLD "$spid"
cat "$D/signals" | sed 's/^/    /'
check "USR1 generated (netns 2)" 1 "$(field signals sig generated inum="$in2" signo=10)"
check "USR1 ignored" 1 "$(field signals sig ignored inum="$in2" signo=10)"
check "USR1 ignored_sig_ign" 1 "$(field signals sig ignored_sig_ign inum="$in2" signo=10)"
check "USR1 forced" 0 "$(field signals sig forced inum="$in2" signo=10)"
check "CHLD ignored_default" 1 "$(field signals sig ignored_default inum="$in2" signo=17)"
check "sender netns saw no USR1" "" "$(field signals sig generated inum="$host" signo=10)"
kill -TERM "$spid"
wait "$spid" 2>/dev/null
check "TERM generated" 1 "$(field signals sig generated inum="$in2" signo=15)"
check "TERM not ignored" 0 "$(field signals sig ignored inum="$in2" signo=15)"
check "netns 2 sig_generated" 3 "$(field netns netns sig_generated inum="$in2")"
check "netns 2 sig_ignored" 2 "$(field netns netns sig_ignored inum="$in2")"
check "sig_unattributed" 0 "$(field stats stats sig_unattributed)"

# A group that is exiting: a tracee held in PTRACE_EVENT_EXIT after
# exit_group() has SIGNAL_GROUP_EXIT set; prepare_signal() drops what comes.
cat >/tmp/exittrace.c <<'EOC'
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int st;
	pid_t c = fork();

	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	waitpid(c, &st, 0);
	ptrace(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACEEXIT);
	ptrace(PTRACE_CONT, c, 0, 0);
	waitpid(c, &st, 0);
	if (!WIFSTOPPED(st) || (st >> 8) != (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
		return 1;
	printf("%d\n", c);
	fflush(stdout);
	while (access(argv[1], F_OK))
		usleep(10000);
	ptrace(PTRACE_CONT, c, 0, 0);
	waitpid(c, &st, 0);
	return 0;
}
EOC
if gcc -O -o /tmp/exittrace /tmp/exittrace.c; then
	ip netns exec "$n2" /tmp/exittrace /tmp/exittrace.go >/tmp/exittrace.pid &
	etpid=$!
	BG+=("$etpid")
	for ((i = 0; i < 300; i++)); do [ -s /tmp/exittrace.pid ] && break; sleep 0.1; done
	cpid=$(cat /tmp/exittrace.pid)
	kill -USR2 "$cpid"
	check "exiting group: USR2 generated" 1 "$(field signals sig generated inum="$in2" signo=12)"
	check "exiting group: USR2 ignored_exiting" 1 "$(field signals sig ignored_exiting inum="$in2" signo=12)"
	touch /tmp/exittrace.go
	wait "$etpid"
	check "exiting group: tracer done" 0 "$?"
else
	check "gcc for the exiting-group case" "exit 0" "exit $?"
fi

# ---- control: bad input fails, never crashes --------------------------------
check "control: empty write" EINVAL "$(ctl '')"
check "control: garbage" EINVAL "$(ctl 'garbage')"
check "control: resetx" EINVAL "$(ctl 'resetx')"
check "control: reset + space" EINVAL "$(ctl 'reset ')"
check "control: two newlines" EINVAL "$(ctl 'reset\n\n')"
check "control: inum empty" EINVAL "$(ctl 'reset inum=')"
check "control: inum +1" EINVAL "$(ctl "reset inum=+$in1")"
check "control: inum hex" EINVAL "$(ctl 'reset inum=0x10')"
check "control: inum trailing junk" EINVAL "$(ctl "reset inum=${in1}x")"
check "control: inum > u32" EINVAL "$(ctl 'reset inum=4294967296')"
check "control: inum NUL" EINVAL "$(ctl "reset inum=$in1\\x00")"
check "control: 65 bytes" EINVAL "$(ctl "$(printf 'reset%60s' '')")"
check "control: 4096 bytes" EINVAL "$(ctl "$(head -c 4096 /dev/zero | tr '\0' a)")"
check "control: unknown inum" ENOENT "$(ctl 'reset inum=1')"
for n in 1 7 63 64 65 200 5000 70000; do
	head -c "$n" /dev/urandom >"/tmp/rand.$n"
	# Random bytes are almost never a valid command; the point is no crash.
	dd if="/tmp/rand.$n" of="$D/control" bs="$n" count=1 2>/dev/null
done
check "control: random writes survived" "nsprobe-format $major.$minor" "$(cat "$D/version")"
check "control: counters intact after bad writes" 3 "$(field devices dev tx_packets inum="$in1" name=va)"

# ---- reset -------------------------------------------------------------------
g2=$(field netns netns sig_generated inum="$in2")
check "control: reset inum=netns1" ok "$(ctl "reset inum=$in1\\n")"
check "after reset inum: va tx_packets" 0 "$(field devices dev tx_packets inum="$in1" name=va)"
check "after reset inum: netns 1 tx_packets" 0 "$(field netns netns tx_packets inum="$in1")"
check "after reset inum: vb untouched" 3 "$(field devices dev tx_packets inum="$in2" name=vb)"
check "after reset inum: netns 2 signals untouched" "$g2" "$(field netns netns sig_generated inum="$in2")"
echo reset >"$D/control" || die "echo reset > control"
check "after reset: vb tx_packets" 0 "$(field devices dev tx_packets inum="$in2" name=vb)"
check "after reset: netns 2 sig_generated" 0 "$(field netns netns sig_generated inum="$in2")"
check "after reset: no sig row for netns 2" "" "$(field signals sig generated inum="$in2" signo=10)"
check_cmd "ping x1 after reset" ip netns exec "$n1" ping -c 1 -W 5 10.99.0.2
wait_field 1 devices dev tx_packets inum="$in2" name=vb
check "after reset: va counts again" 1 "$(field devices dev tx_packets inum="$in1" name=va)"
check "after reset: netns 1 tx_bytes" 98 "$(field netns netns tx_bytes inum="$in1")"

# ---- device move: counters restart in the new netns, the old keeps totals ----
ns_new n3 smk3
in3=$(ns_inum "$n3")
ip -n "$n1" link set va netns "$n3" || die "move va"
check "moved: va gone from netns 1" "" "$(field devices dev tx_packets inum="$in1" name=va)"
check "moved: netns 1 devices" 0 "$(field netns netns devices inum="$in1")"
check "moved: netns 1 keeps tx_packets" 1 "$(field netns netns tx_packets inum="$in1")"
check "moved: va in netns 3 from zero" 0 "$(field devices dev tx_packets inum="$in3" name=va)"

# ---- delete, rmmod veth (gone), modprobe veth (armed) ------------------------
devs_before=$(field stats stats devices)
ip -n "$n3" link del va || die "del va"
check "deleted: devices count" $((devs_before - 2)) "$(field stats stats devices)"
check "deleted: netns 2 keeps tx_packets" 1 "$(field netns netns tx_packets inum="$in2")"
check_cmd "rmmod veth" modprobe -r veth
check "veth_xmit gone" gone "$(probe veth_xmit state)"
check_cmd "modprobe veth" modprobe veth
check "veth_xmit armed again" armed "$(probe veth_xmit state)"
check "veth_xmit symbol" veth_xmit "$(probe veth_xmit symbol)"
cat "$D/probes" "$D/stats" | sed 's/^/    /'
check "alloc_failed" 0 "$(field stats stats alloc_failed)"
nsp_unload
check "debugfs gone after rmmod" 1 "$([ -e "$D" ]; echo $?)"

# ---- unload under load ---------------------------------------------------------
ip link add va netns "$n1" type veth peer name vb netns "$n2" || die "veth for flood"
ip -n "$n1" addr add 10.99.0.1/24 dev va
ip -n "$n2" addr add 10.99.0.2/24 dev vb
ip -n "$n1" link set va up
ip -n "$n2" link set vb up
ip netns exec "$n1" ping -f -q -w 60 10.99.0.2 >/dev/null 2>&1 &
BG+=($!)
ip netns exec "$n2" sh -c 'trap "" USR1; exec sleep 1000' &
spid=$!
BG+=("$spid")
wait_sigign "$spid" 10 || die "sleep did not start ignoring SIGUSR1"
( while kill -USR1 "$spid" 2>/dev/null; do :; done ) &
BG+=($!)
# A cycle counts when insmod, the reads, the reset and rmmod all succeeded;
# the first failure ends the loop (a module left loaded would fail the next).
cycles=0
for i in 1 2 3 4 5; do
	insmod "$KO" || { echo "  insmod #$i under load failed"; break; }
	# Part of the scene, not a wait for a result: the module stays loaded
	# under the flood and the storm for a while before it is read and unloaded.
	sleep 0.5
	cat "$D/netns" "$D/devices" "$D/signals" >/dev/null || { echo "  read #$i failed"; rmmod nsprobe; break; }
	echo reset >"$D/control" || { echo "  reset #$i failed"; rmmod nsprobe; break; }
	rmmod nsprobe || { echo "  rmmod #$i under load failed"; break; }
	cycles=$((cycles + 1))
done
check "load/unload x5 under ping -f and kill -USR1 storm: cycles" 5 "$cycles"
# A module parameter: the hooks stay disabled.
nsp_load sig_probes=0 veth_probe=0
check "sig_probes=0: sig_generate disabled" disabled "$(probe sig_generate state)"
check "veth_probe=0: veth_xmit disabled" disabled "$(probe veth_xmit state)"
nsp_unload
for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
BG=()

nsp_summary
