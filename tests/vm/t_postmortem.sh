#!/bin/bash
# Post-mortem records of dead netns (issue 9, item 6; format 1.4, the
# "postmortem" file; kmod/postmortem.c).
#   1: a container (netns + pid namespace + cgroup) sends 40 packets through
#      its veth, its PID 1 ignores two SIGTERMs from the host and dies of a
#      SIGKILL; its netns is deleted. Its record: when it went, the cgroup
#      it left from (path and id, from the cgroup itself), its netns, sig
#      and ev records exactly as before it died; gone from the live files.
#   2: an OOM-killed container (its PID 1 is the hog): the record keeps
#      the OOM kill (memory.events oom_kill is the reference) and the
#      event's cause=oom, after the netns died on its own (no bind mount).
#   2b: a cgroup removed before its netns dies: the id stays, the path is
#      unknown ("-").
#   3: bounds: postmortem_max=2 keeps the newest two of three;
#      postmortem_secs=10 frees a record (the expiry work, seen in stats).
#   4: postmortem_max=0 keeps nothing; an unload with records kept and
#      netns still dying is clean.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
. "$(dirname "$0")/lib_veth.sh"	# veth_pair, udp_sink, udp_send, dmesg_clean
MIB=$((1 << 20))

. "$(dirname "$0")/lib_cg.sh"	# cg_setup, new_cg, in_cg, cg_cleanup
cg_setup
pm_cleanup() {
	sinks_stop
	ns_cleanup
	cg_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
	modprobe -r veth 2>/dev/null
}
on_exit pm_cleanup
modprobe veth

# pm_field TYPE FIELD KEY=VAL...: raw_field on the postmortem file
pm_field() { raw_field postmortem "$@"; }
# pm_gone: "inum:cookie" of each gone record, oldest first
pm_gone() {
	nsp_read postmortem | awk '$1 == "gone" { sub("inum=", "", $2); sub("cookie=", "", $3); print $2 ":" $3 }' | xargs
}
# pm_sig INUM COOKIE SIGNO FIELD...: counters of a dead netns' sig record
pm_sig() {
	local inum=$1 cookie=$2 signo=$3 f out=()
	shift 3
	for f in "$@"; do out+=("$(pm_field sig "$f" "inum=$inum" "cookie=$cookie" "signo=$signo")"); done
	echo "${out[*]}"
}
# pm_ev INUM COOKIE PID: "signo outcome reason cause" of its events for PID
pm_ev() {
	nsp_read postmortem | awk -v inum="$1" -v cookie="$2" -v pid="$3" '$1 == "ev" {
		delete kv
		for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
		if (kv["inum"] == inum && kv["cookie"] == cookie && kv["target_pid"] == pid)
			print kv["signo"], kv["outcome"], kv["reason"], kv["cause"] }'
}
# live_has FILE INUM COOKIE: records of the netns in a live file
live_has() {
	nsp_read "$1" | grep -c " inum=$2 cookie=$3 "
}
stat_pm() { raw_field stats stats "$1"; }

# ---- 1: a container dies; its record ----------------------------------------
nsp_load
veth_pair ctr peer
in=$(ns_inum "$ctr")
cookie=$(raw_field netns netns cookie "inum=$in")
pin=$(ns_inum "$peer")
pcookie=$(raw_field netns netns cookie "inum=$pin")
udp_sink "$peer" 9000
udp_send "$ctr" 10.88.0.2 9000 40 100 || die "udp_send"
wait_kstat "$peer" vb rx_packets 40
live_bytes=$(raw_field netns netns tx_bytes "inum=$in" "cookie=$cookie")
check "1: live: tx_packets, tx_bytes = the kernel's va tx_bytes" "40 $(kstat "$ctr" va tx_bytes)" \
	"$(raw_field netns netns tx_packets "inum=$in" "cookie=$cookie") $live_bytes"
sinks_stop

new_cg cg
cg_id=$(stat -c %i "$cg")
rm -f "/tmp/pm1.$$"
in_cg "$cg" ip netns exec "$ctr" unshare --pid --fork nsp-sigtarget "/tmp/pm1.$$" \
	</dev/null >/dev/null 2>&1 &
wait_for_file "/tmp/pm1.$$"
init=$(pgrep -f "^nsp-sigtarget /tmp/pm1.$$")
kill -TERM "$init"
kill -TERM "$init"
kill -KILL "$init"
wait_gone "$init"
wait_until 10 test ! -s "$cg/cgroup.procs"
# The container's netns goes first (its veth, and so the peer's, with it);
# then the peer's.
t0=$(date +%s%N)
ip netns del "$ctr"
wait_until 30 grep -q "^gone inum=$in cookie=$cookie " "$NSP_DEBUGFS/postmortem"
t1=$(date +%s%N)
ip netns del "$peer"
NSP_NETNS=()
wait_until 30 grep -q "^gone inum=$pin cookie=$pcookie " "$NSP_DEBUGFS/postmortem"
check "1: two records, the container's netns, then the peer's" "$in:$cookie $pin:$pcookie" "$(pm_gone)"
gone=$(pm_field gone gone_ns "inum=$in" "cookie=$cookie")
check "1: gone_ns between the netns del and the record's arrival" ok \
	"$([ "$gone" -ge "$t0" ] && [ "$gone" -le "$t1" ] && echo ok || echo "$t0 <= $gone <= $t1 is false")"
age=$(pm_field gone age_ns "inum=$in" "cookie=$cookie")
check "1: age_ns less than 60 s" ok "$([ "$age" -lt 60000000000 ] && echo ok || echo "$age")"
check "1: the cgroup it left from (path, id)" "/${cg##*/} $cg_id" \
	"$(pm_field gone cgroup "inum=$in" "cookie=$cookie") $(pm_field gone cgroup_id "inum=$in" "cookie=$cookie")"
# devices: veth tracked at the exit; both went before (NETDEV_UNREGISTER)
check "1: its netns record: devices tx_packets tx_bytes (as live)" "0 40 $live_bytes" \
	"$(pm_field netns devices "inum=$in" "cookie=$cookie") $(pm_field netns tx_packets "inum=$in" "cookie=$cookie") $(pm_field netns tx_bytes "inum=$in" "cookie=$cookie")"
check "1: SIGTERM generated ignored ignored_init" "2 2 2" \
	"$(pm_sig "$in" "$cookie" 15 generated ignored ignored_init)"
check "1: SIGKILL generated delivered_term origin_process" "1 1 1" \
	"$(pm_sig "$in" "$cookie" 9 generated delivered_term origin_process)"
check "1: PID 1's events" "15 ignored init - 15 ignored init - 9 delivered_term - -" \
	"$(pm_ev "$in" "$cookie" "$init" | xargs)"
check "1: evring written = ev records" "$(nsp_read postmortem | grep -c "^ev inum=$in ")" \
	"$(pm_field evring written "inum=$in" "cookie=$cookie")"
check "1: not in the live netns, signals, events files" "0 0 0" \
	"$(live_has netns "$in" "$cookie") $(live_has signals "$in" "$cookie") $(live_has events "$in" "$cookie")"
# the peer's last task was the UDP sink, in this test's own cgroup
mycg=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
check "1: the peer's record: the test's cgroup (path, id), nothing sent" \
	"$mycg $(stat -c %i "/sys/fs/cgroup$mycg") 0" \
	"$(pm_field gone cgroup "inum=$pin" "cookie=$pcookie") $(pm_field gone cgroup_id "inum=$pin" "cookie=$pcookie") $(pm_field netns tx_packets "inum=$pin" "cookie=$pcookie")"
check "1: stats postmortem postmortem_lost" "2 0" "$(stat_pm postmortem) $(stat_pm postmortem_lost)"
# the tool: show lists the dead netns apart, with its totals and cgroup;
# signals --why INUM:COOKIE tells its story
check "1: show --json: gone_netns tx_packets, cgroup" "40 /${cg##*/}" \
	"$(nsp_json show | jq -r --argjson c "$cookie" '.gone_netns[] | select(.cookie == $c) | "\(.nsprobe.tx_packets) \(.gone.cgroup)"')"
check "1: signals --why: gone, and the three steps" "/${cg##*/}|SIGTERM ignored init|SIGTERM ignored init|SIGKILL delivered_term -" \
	"$(nsp_json signals --why "$in:$cookie" | jq -r '.gone.cgroup, (.steps[] | "\(.signal) \(.outcome) \(.reason)")' | paste -sd'|')"

# ---- 2: an OOM-killed container, its netns gone on its own ------------------
new_cg cg2 $((24 * MIB))
rm -f "/tmp/pm2.$$"
in_cg "$cg2" unshare --net --pid --fork nsp-sigtool hog "/tmp/pm2.$$" 16 \
	</dev/null >/dev/null 2>&1 &
wait_for_file "/tmp/pm2.$$"
hog=$(pgrep -f "^nsp-sigtool hog /tmp/pm2.$$")
in2=$(stat -L -c %i "/proc/$hog/ns/net")
cookie2=$(raw_field netns netns cookie "inum=$in2")
in_cg "$cg2" nsenter -t "$hog" -p -n dd if=/dev/zero of=/dev/null bs=12M count=1 2>/dev/null
wait_gone "$hog"
k=$(awk '$1 == "oom_kill" {print $2}' "$cg2/memory.events")
wait_until 30 grep -q "^gone inum=$in2 cookie=$cookie2 " "$NSP_DEBUGFS/postmortem"
check "2: records of the three dead netns, oldest first" "$in:$cookie $pin:$pcookie $in2:$cookie2" "$(pm_gone)"
check "2: SIGKILL oom_kill = memory.events oom_kill" "$k" "$(pm_sig "$in2" "$cookie2" 9 oom_kill)"
check "2: the hog's SIGKILL event" "9 delivered_term - oom" "$(pm_ev "$in2" "$cookie2" "$hog")"
check "2: the cgroup it left from" "/${cg2##*/}" "$(pm_field gone cgroup "inum=$in2" "cookie=$cookie2")"

# 2b: the cgroup is removed before the netns dies: nsprobe kept only its id
# (no reference pins a removed cgroup), so the path is unknown, the id not
new_cg cg3
cg3_id=$(stat -c %i "$cg3")
ns_new n3 pm
in3=$(ns_inum "$n3")
cookie3=$(raw_field netns netns cookie "inum=$in3")
in_cg "$cg3" ip netns exec "$n3" true
rmdir "$cg3" || die "rmdir $cg3"
ip netns del "$n3"
NSP_NETNS=()
# (the kernel may give it the inum of a dead netns: the cookie tells)
wait_until 30 grep -q "^gone inum=$in3 cookie=$cookie3 " "$NSP_DEBUGFS/postmortem"
check "2b: cgroup removed first: path unknown, its id kept" "- $cg3_id" \
	"$(pm_field gone cgroup "inum=$in3" "cookie=$cookie3") $(pm_field gone cgroup_id "inum=$in3" "cookie=$cookie3")"
nsp_unload

# ---- 3: bounds: the newest postmortem_max, for postmortem_secs --------------
nsp_load postmortem_max=2 postmortem_secs=0
ids=()
for i in 1 2 3; do
	ns_new n sig
	ni=$(ns_inum "$n")
	ids+=("$ni:$(raw_field netns netns cookie "inum=$ni")")
	ip netns del "$n"
	NSP_NETNS=()
	wait_until 30 grep -q "^gone inum=$ni cookie=${ids[-1]#*:} " "$NSP_DEBUGFS/postmortem"
done
check "3: postmortem_max=2: the newest two" "${ids[1]} ${ids[2]}" "$(pm_gone)"
check "3: stats postmortem" 2 "$(stat_pm postmortem)"
nsp_unload
# stats reads expire nothing: only the delayed work can bring it to 0.
# (pm_count_is runs at each poll; a "$(...)" argument would run once.)
pm_count_is() { [ "$(stat_pm postmortem)" = "$1" ]; }
nsp_load postmortem_secs=10
ns_new n sig
ni=$(ns_inum "$n")
ip netns del "$n"
NSP_NETNS=()
wait_until 30 pm_count_is 1
check "3: postmortem_secs=10: kept" 1 "$(stat_pm postmortem)"
wait_until 30 pm_count_is 0
check "3: postmortem_secs=10: the expiry work freed it" "0 ''" "$(stat_pm postmortem) '$(pm_gone)'"
nsp_unload

# ---- 4: postmortem_max=0; unload while netns die ----------------------------
nsp_load postmortem_max=0
ns_new n sig
ni=$(ns_inum "$n")
ip netns del "$n"
NSP_NETNS=()
wait_until 30 sh -c "! grep -q ' inum=$ni ' $NSP_DEBUGFS/netns"
check "4: postmortem_max=0: nothing kept" "0 ''" "$(stat_pm postmortem) '$(pm_gone)'"
nsp_unload
nsp_load
for i in $(seq 12); do
	ns_new n sig
	# a signal counted in it; the subshell keeps bash's "User defined
	# signal 1" report of the killed sh out of the log
	(ip netns exec "$n" sh -c 'kill -USR1 $$') 2>/dev/null
done
ns_cleanup
nsp_unload
check "4: unload with records kept and netns dying: dmesg clean" 0 "$(dmesg_clean; echo $?)"
nsp_summary
