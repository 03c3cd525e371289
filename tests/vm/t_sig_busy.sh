#!/bin/bash
# The story survives a busy container (issue 9, item 5; format 1.4 event
# classes, kmod/sigevents.c). In a container, a shell runs /bin/true in a
# loop: a SIGCHLD per child, routine events that overwrite the routine ring
# many times over. The host's SIGTERM, which PID 1 (no handler) ignores
# (init protection), is in the notable ring and stays; what the routine
# ring lost is counted exactly. (PID 1 is not the shell itself: a shell
# blocks signals around its forks, so its SIGTERM would be queued_blocked.) Then a small notable ring
# (sig_events_notable=2) counts its own overflow.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sig.sh"
TERM_=15 KILL=9 STOP=19 CHLD=17

# evr KEY: a key of the container's evring record
evr() { raw_field events evring "$1" "inum=$in"; }
# evs: "signo outcome reason cause class target_pid" of each event
evs() {
	nsp_read events | awk -v inum="$in" '$1 == "ev" {
		delete kv
		for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
		if (kv["inum"] == inum) print kv["signo"], kv["outcome"], kv["reason"], kv["cause"], kv["class"], kv["target_pid"] }'
}

# routine_ge N: at least N routine events written
routine_ge() { [ $(($(evr written) - $(evr notable_written))) -ge "$1" ]; }
# still: no event written for a second
still() {
	local a
	a=$(evr written)
	sleep 1
	[ "$a" = "$(evr written)" ]
}

# A routine ring of 32 (sig_events=32): overwritten three times over by
# 100 SIGCHLDs, a few seconds under TCG; the notable ring keeps its default.
sig_setup sig_events=32
start_pidns_init init "$ctr" "/tmp/busy.$$"
# the busy part: a shell in the container that runs /bin/true in a loop,
# a child of PID 1 (setsid -f: orphaned at once, so PID 1 reaps it; no
# nsenter stays behind as its parent, forwarding its stops)
rm -f "/tmp/busy-sh.$$"
nsenter -t "$init" -p -n setsid -f sh -c ': >"$0"; while :; do /bin/true; done' "/tmp/busy-sh.$$" \
	</dev/null >/dev/null 2>&1
wait_for_file "/tmp/busy-sh.$$"
busy=$(pgrep -P "$init" -x sh)
check "PID 1 and the busy shell share the pid namespace" "1 $(readlink "/proc/$init/ns/pid")" \
	"$(awk '$1 == "NSpid:" {print $NF}' "/proc/$init/status") $(readlink "/proc/$busy/ns/pid")"

kill -TERM "$init"
# at least 100 routine events: the 32-slot routine ring overwritten 3 times
wait_until 300 routine_ge 100 ||
	die "fewer than 100 SIGCHLDs in 300 s: written=$(evr written)"
# stop the loop, so that the rings hold still for the exact checks
kill -STOP "$busy"
wait_until 30 grep -q '^State:.*T (stopped)' "/proc/$busy/status"
wait_until 30 still	# the last /bin/true exits; its SIGCHLD is the last

w=$(evr written) nw=$(evr notable_written)
check "notable ring: SIGTERM, SIGSTOP; nothing overwritten" "64 2 0" \
	"$(evr notable_size) $nw $(evr notable_overflow)"
check "routine ring overwritten: overflow = routine written - 32, exactly" "$((w - nw - 32))" "$(evr overflow)"
check "PID 1's ignored SIGTERM is still there" "15 ignored init - notable $init" \
	"$(evs | awk -v s=$TERM_ '$1 == s')"
check "SIGSTOP to the shell: notable" "19 notable $busy" "$(evs | awk -v s=$STOP '$1 == s {print $1, $5, $6}')"
# routine: the shell's SIGCHLDs, and one to PID 1 when the shell stopped
# (CLD_STOPPED; PID 1 ignores it by default)
check "routine events: 32 SIGCHLDs, 31 to the shell, 1 to PID 1" "32 31 1" \
	"$(evs | awk -v c=$CHLD -v b="$busy" -v i="$init" '$5 == "routine" && $1 == c {n++; s += $6 == b; p += $6 == i} END {print n + 0, s + 0, p + 0}')"
check "SIGCHLD counted: generated = routine written" "$((w - nw))" "$(sig_ctr "$in" $CHLD generated)"

kill -KILL "$init"
wait_gone "$init"
wait_gone "$busy"
# PID 1 exits: the zap kills the shell (and its zombie child, if any):
# cause init_exit, notable
zap=$(evs | awk '$4 == "init_exit" && $5 == "notable"' | wc -l)
check "SIGKILL to PID 1: notable, delivered" "9 delivered_term - - notable $init" \
	"$(evs | awk -v s=$KILL -v p="$init" '$1 == s && $6 == p')"
check "the zap's SIGKILL to the shell: notable, cause init_exit" "9 init_exit notable" \
	"$(evs | awk -v s=$KILL -v p="$busy" '$1 == s && $6 == p {print $1, $4, $5}')"
check "notable written: TERM, STOP, KILL and the zap's kills ($zap)" "$((3 + zap)) 0" \
	"$(evr notable_written) $(evr notable_overflow)"
check "no routine event is a kill" 0 "$(evs | awk '$5 == "routine" && ($1 == 9 || $2 == "delivered_term")' | wc -l)"
nsp_unload

# ---- a small notable ring counts its own overflow ----------------------------
nsp_load sig_events_notable=2 sig_events=8
ns_new ctr2 sig
in=$(ns_inum "$ctr2")
start_pidns_init init "$ctr2" /tmp/busy2.ready
for i in 1 2 3; do kill -TERM "$init"; done
check "notable_size=2: written overflow" "2 3 1" \
	"$(evr notable_size) $(evr notable_written) $(evr notable_overflow)"
check "the last two SIGTERMs kept (seq 2, 3)" "2 3" \
	"$(nsp_read events | awk -v inum="$in" '$1 == "ev" && $2 == "inum=" inum && / signo=15 / {sub("seq=", "", $4); print $4}' | xargs)"
check "size = 8 + 2, overflow = the notable ring's" "10 1" "$(evr size) $(evr overflow)"
kill -KILL "$init"
wait_gone "$init"
nsp_unload
disown -a	# the cleanup kills what is left, without job reports
nsp_summary
