#!/bin/bash
# Writes to <debugfs>/nsprobe/control, the module's only input from
# userspace: every write must end in a clean errno (or success for a valid
# command), never a crash; vm-run fails the run if dmesg is not clean.
#
#   1. known inputs, exact outcome each (nsp-ctlfuzz one/len/chunks/fault,
#      dd with a small block size);
#   2. one writer, random sizes 0..64 KiB, random bytes and mutated commands,
#      each write checked against the contract's model (nsp-ctlfuzz fuzz);
#   3. the same with several writers at once for CONC_SECS, while readers cat every
#      debugfs file and run nsprobe status/signals --json, and a loop
#      creates and deletes netns (resets race with netns exit).
# Prints the number of writes per outcome.
. "$(dirname "$0")/lib.sh"
[ -n "${NSP_TRACE:-}" ] && set -x
SEED=${NSP_SEED:-$RANDOM}
WRITES=${NSP_CTL_WRITES:-20000}	# single writer
# Concurrent phase: WRITERS loops of PER_WRITER-write rounds (a new seed
# each) for CONC_SECS seconds, so readers and netns churn overlap them.
WRITERS=4 PER_WRITER=${NSP_CTL_PER_WRITER:-2000} CONC_SECS=${NSP_CTL_SECONDS:-20}
bg=()
churn_ns=nspc-$RANDOM

cleanup() {
	[ ${#bg[@]} -gt 0 ] && kill "${bg[@]}" 2>/dev/null
	wait 2>/dev/null
	ip netns list | awk -v p="$churn_ns-" 'index($1, p) == 1 {print $1}' |
		xargs -r -n1 ip netns del 2>/dev/null
	ns_cleanup
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
}
on_exit cleanup

nsp_load
ctl=$NSP_DEBUGFS/control
ns_new ctr ctr
inum_host=$(stat -L -c %i /proc/self/ns/net)
inum_ctr=$(ns_inum "$ctr")
w() { nsp-ctlfuzz one "$ctl" "$1"; }
echo "  seed $SEED"

# ---- 1. known inputs ------------------------------------------------------
check "'reset'" ok "$(w reset)"
check "'reset\\n'" ok "$(w $'reset\n')"
check "'reset inum=<host netns>'" ok "$(w "reset inum=$inum_host")"
check "'reset inum=<container netns>\\n'" ok "$(w "reset inum=$inum_ctr"$'\n')"
check "'reset inum=000<container netns>' (leading zeros)" ok "$(w "reset inum=000$inum_ctr")"
check "'reset inum=1' (no such netns)" ENOENT "$(w 'reset inum=1')"
check "'reset inum=0'" ENOENT "$(w 'reset inum=0')"
check "'reset inum=4294967295' (u32 max, no such netns)" ENOENT "$(w 'reset inum=4294967295')"
check "'' (0 bytes)" EINVAL "$(w '')"
check "'reset inum=abc'" EINVAL "$(w 'reset inum=abc')"
check "'reset inum=' (no value)" EINVAL "$(w 'reset inum=')"
check "'reset inum=+1'" EINVAL "$(w 'reset inum=+1')"
check "'reset inum=-1'" EINVAL "$(w 'reset inum=-1')"
check "'reset inum=0x10'" EINVAL "$(w 'reset inum=0x10')"
check "'reset inum=4294967296' (u32 overflow)" EINVAL "$(w 'reset inum=4294967296')"
check "'reset inum=1\\n\\n'" EINVAL "$(w $'reset inum=1\n\n')"
check "'reset\\n\\n'" EINVAL "$(w $'reset\n\n')"
check "'reset ' (trailing space)" EINVAL "$(w 'reset ')"
check "' reset' (leading space)" EINVAL "$(w ' reset')"
check "'RESET'" EINVAL "$(w RESET)"
check "'reset all'" EINVAL "$(w 'reset all')"
check "'\\n'" EINVAL "$(w $'\n')"
check "64 bytes (the limit, not a command)" EINVAL "$(nsp-ctlfuzz len "$ctl" 64)"
check "65 bytes" EINVAL "$(nsp-ctlfuzz len "$ctl" 65)"
check "4096 bytes" EINVAL "$(nsp-ctlfuzz len "$ctl" 4096)"
check "64 KiB" EINVAL "$(nsp-ctlfuzz len "$ctl" 65536)"
check "64 KiB of NUL" EINVAL "$(nsp-ctlfuzz len "$ctl" 65536 '')"
check "1 MiB" EINVAL "$(nsp-ctlfuzz len "$ctl" 1048576)"
pad=$(printf 'reset inum=%053d' "$inum_ctr")	# 64 bytes exactly
check "'reset inum=<zero-padded to 64 bytes>'" ok "$(w "$pad")"
check "'reset inum=<zero-padded to 64 bytes>\\n' (65)" EINVAL "$(w "$pad"$'\n')"
check "buffer partly unmapped" EFAULT "$(nsp-ctlfuzz fault "$ctl")"
# One command per write: the file position is ignored, nothing accumulates.
check "'reset' in one 5-byte write" ok "$(nsp-ctlfuzz chunks "$ctl" reset 5)"
check "'reset' in 1-byte writes" "EINVAL EINVAL EINVAL EINVAL EINVAL" \
	"$(nsp-ctlfuzz chunks "$ctl" reset 1)"
check "'reset\\n' in 2-byte writes" "EINVAL EINVAL EINVAL" "$(nsp-ctlfuzz chunks "$ctl" $'reset\n' 2)"
check "'reset' then 'reset' on one fd" "ok ok" "$(nsp-ctlfuzz chunks "$ctl" resetreset 5)"
check_cmd "dd bs=6 'reset\\n'" bash -c "printf 'reset\n' | dd of=$ctl bs=6 status=none"
out=$(printf 'reset\n' | dd of="$ctl" bs=2 2>&1)
check "dd bs=2 'reset\\n' fails with EINVAL" "1 Invalid argument" \
	"$? $(grep -o 'Invalid argument' <<<"$out" | head -n1)"
check "reading control fails" 1 "$(cat "$ctl" >/dev/null 2>&1; echo $?)"
check "nsprobe still answers" 0 "$("$NSPROBE" status --json >/dev/null; echo $?)"

# ---- 2. one random writer ---------------------------------------------------
inums=$(sed -n 's/^netns inum=\([0-9]*\) .*/\1/p' "$NSP_DEBUGFS/netns" | tr '\n' ' ')
check "live netns listed (host, container)" 2 "$(wc -w <<<"$inums")"
res=$(nsp-ctlfuzz fuzz "$ctl" "$SEED" "$WRITES" $inums)
echo "  single writer: $res"
check "single writer: every outcome as the model says" "mismatch=0 other=0" \
	"$(grep -oE 'mismatch=[0-9]+' <<<"$res") $(grep -oE 'other=[0-9]+' <<<"$res")"

# ---- 3. concurrent writers, readers, netns churn ---------------------------
rm -f /tmp/ctl-w.* /tmp/ctl-wl.* /tmp/ctl-r.* /tmp/ctl-churn
writer() { # K: rounds until CONC_SECS are over; exit 1 if one failed
	local k=$1 r=0 rc=0
	while [ $SECONDS -lt $((start + CONC_SECS)) ] || [ $r -eq 0 ]; do
		nsp-ctlfuzz fuzz "$ctl" $((SEED + 1000 * k + r)) "$PER_WRITER" $inums || rc=1
		r=$((r + 1))
	done >"/tmp/ctl-w.$k" 2>&1
	return $rc
}
start=$SECONDS
for ((k = 1; k <= WRITERS; k++)); do
	writer $k &
	bg+=($!)
done
writers=("${bg[@]}")
reader() { # N: cat every file, then the tool's JSON, until /tmp/ctl-stop
	local n=0 bad=0 f
	while [ ! -e /tmp/ctl-stop ]; do
		for f in "$NSP_DEBUGFS"/*; do
			[ "${f##*/}" = control ] && continue
			cat "$f" >/dev/null || bad=$((bad + 1))
			n=$((n + 1))
		done
		"$NSPROBE" status --json >/dev/null || bad=$((bad + 1))
		"$NSPROBE" signals --json >/dev/null || bad=$((bad + 1))
		n=$((n + 2))
	done
	echo "reads=$n bad=$bad" >"/tmp/ctl-r.$1"
}
churn() {
	local i=0
	while [ ! -e /tmp/ctl-stop ] && [ $i -lt 1000 ]; do
		ip netns add "$churn_ns-$i" && ip netns del "$churn_ns-$i"
		i=$((i + 1))
	done
	echo "$i" >/tmp/ctl-churn
}
rm -f /tmp/ctl-stop
reader 1 &
bg+=($!)
reader 2 &
bg+=($!)
churn &
bg+=($!)
wrc=0
for p in "${writers[@]}"; do wait "$p" || wrc=1; done
touch /tmp/ctl-stop
wait
bg=()
tot_w=0 tot_ok=0 tot_einval=0 tot_enoent=0 tot_other=0 tot_mis=0 rounds=0
for ((k = 1; k <= WRITERS; k++)); do
	grep -q '^writes=' /tmp/ctl-w.$k || { cat /tmp/ctl-w.$k; tot_other=$((tot_other + 1)); }
	grep '^mismatch' /tmp/ctl-w.$k | head -n 5 | sed 's/^/    /'
	grep '^writes=' /tmp/ctl-w.$k >/tmp/ctl-wl.$k	# no /dev/fd in the guest: no <(...)
	while read -r l; do
		eval "$(sed -E 's/([a-z]+)=/c_\1=/g; s/ /; /g' <<<"$l")"
		tot_w=$((tot_w + c_writes)) tot_ok=$((tot_ok + c_ok)) tot_einval=$((tot_einval + c_einval))
		tot_enoent=$((tot_enoent + c_enoent)) tot_other=$((tot_other + c_other))
		tot_mis=$((tot_mis + c_mismatch)) rounds=$((rounds + 1))
	done </tmp/ctl-wl.$k
done
echo "  $WRITERS writers, $((SECONDS - start)) s: writes=$tot_w ok=$tot_ok einval=$tot_einval enoent=$tot_enoent other=$tot_other mismatch=$tot_mis"
echo "  readers: $(cat /tmp/ctl-r.1) / $(cat /tmp/ctl-r.2); netns created+deleted: $(cat /tmp/ctl-churn)"
check "concurrent writers: every outcome as the model says" "0 0 0" "$wrc $tot_mis $tot_other"
check "concurrent writers: rounds done (at least one each)" 1 "$((rounds >= WRITERS))"
check "concurrent writers: all writes done" $((rounds * PER_WRITER)) "$tot_w"
check "readers: no failed read" "bad=0 bad=0" \
	"$(grep -oE 'bad=[0-9]+' /tmp/ctl-r.1) $(grep -oE 'bad=[0-9]+' /tmp/ctl-r.2)"
check "after the storm: 'reset' ok" ok "$(w reset)"
check "after the storm: 'reset inum=1' ENOENT" ENOENT "$(w 'reset inum=1')"
check "after the storm: status --json" 0 "$("$NSPROBE" status --json >/dev/null; echo $?)"

nsp_unload
check "nsprobe unloaded" "" "$(grep '^nsprobe ' /proc/modules)"
nsp_summary
