#!/bin/bash
# The workshop (scripts/workshop, docs/workshop.md), every ready exercise in
# one run, non-interactive, scenes one after the other. Each exercise ends
# with "workshop NAME key=value ..." (--summary): the very values its
# explanation prints, read from nsprobe's JSON. This test checks them
# exactly, so the text a learner reads is the kernel's behaviour, on every
# kernel of the matrix.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
out=/tmp/t_workshop.out

cleanup() {
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
}
on_exit cleanup

# val NAME KEY: KEY's value in exercise NAME's summary line
val() {
	awk -v n="$1" -v k="$2" '$1 == "workshop" && $2 == n {
		for (i = 3; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' "$out"
}
vals() { # NAME KEY...: the values, space separated
	local n=$1 k r=()
	shift
	for k in "$@"; do r+=("$(val "$n" "$k")"); done
	echo "${r[*]}"
}

nsp_load latency=1	# veth-latency times crossings
ready=$("$root/scripts/workshop" --list | awk '$4 == "ready" {print $1}' | paste -sd' ')
check "ready exercises, in order" "signals-init signals-handler signals-init-exit zombies signals-shell-init oom veth-latency" "$ready"
t0=$SECONDS
# shellcheck disable=SC2086
NSPROBE=$NSPROBE "$root/scripts/workshop" --summary $ready >"$out" 2>&1
check "scripts/workshop exit status" 0 $?
echo "  (workshop: $((SECONDS - t0)) s for $(wc -w <<<"$ready") exercises: $(awk '$1 == "workshop-time" {printf "%s %s s; ", $2, $3}' "$out"))"

check "signals-init: SIGTERM generated ignored_init forced" "2 2 1" \
	"$(vals signals-init term_generated term_ignored_init term_forced)"
check "signals-init: SIGKILL generated ignored_init forced delivered_term" "2 1 1 1" \
	"$(vals signals-init kill_generated kill_ignored_init kill_forced kill_delivered_term)"
check "signals-init: alive after 3 signals, after the host's SIGKILL" "yes no" \
	"$(vals signals-init alive_after_term alive_after_kill)"
# the learner's text (folded at 78 columns) quotes the same values
text=$(tr '\n' ' ' <"$out" | tr -s ' ')
check "signals-init: the text quotes them" 1 \
	"$(grep -o '2 SIGTERM and 1 SIGKILL were ignored with reason init' <<<"$text" | wc -l)"

check "signals-handler: SIGTERM generated ignored delivered_handler" "2 0 2" \
	"$(vals signals-handler term_generated term_ignored term_delivered_handler)"
check "signals-handler: handler ran, sigaction(SIGKILL)" "2 EINVAL" \
	"$(vals signals-handler handler_ran sigkill_catch)"

check "signals-init-exit: children, SIGTERM delivered_handler" "2 1" \
	"$(vals signals-init-exit children term_delivered_handler)"
check "signals-init-exit: SIGKILL generated origin_kernel delivered_term" "2 2 2" \
	"$(vals signals-init-exit kill_generated kill_origin_kernel kill_delivered_term)"
check "signals-init-exit: --why steps with cause init_exit" 2 "$(val signals-init-exit init_exit_kills)"

check "zombies: orphans, zombies in /proc" "3 3" "$(vals zombies orphans zombies)"
check "zombies: SIGCHLD generated ignored_default ignored_init" "3 3 0" \
	"$(vals zombies chld_generated chld_ignored_default chld_ignored_init)"

check "signals-shell-init A (sh -c 'app; true'): PID 1, SIGTERM generated ignored_init, app's handler ran" \
	"sh 1 1 0" "$(vals signals-shell-init a_init a_term_generated a_term_ignored_init a_app_ran)"
check "signals-shell-init B (exec app): PID 1, SIGTERM delivered_handler, app's handler ran" \
	"nsp-sigtarget 1 1" "$(vals signals-shell-init b_init b_term_delivered_handler b_app_ran)"
check "signals-shell-init C (forwarding shell): SIGTERM generated delivered_handler, app's handler ran" \
	"2 2 1" "$(vals signals-shell-init c_term_generated c_term_delivered_handler c_app_ran)"
# the Why quotes B's and C's counts: their stories are shown, not only A's
check "signals-shell-init: --why shown for A, B and C" "1 1 1" \
	"$(for p in shell exec fwd; do grep -c "^signals of netns [0-9]* (ws-$p-" "$out"; done | paste -sd' ')"

# The kernel's count (memory.events oom_kill) is the reference: 1, or 2 when
# the killer also takes the allocator under TCG (dd then exits 137; see
# t_sig_oom.sh). nsprobe must equal it, and name the hog as a victim.
ev=$(val oom memory_events_oom_kill) dd=$(val oom dd_exit)
case "$ev:$dd" in
1:0 | 2:137) check "oom: memory.events oom_kill $ev, dd exit $dd" ok ok ;;
*) check "oom: memory.events oom_kill / dd exit" "1:0 or 2:137" "$ev:$dd" ;;
esac
check "oom: nsprobe's SIGKILL oom_kill equals memory.events, the hog is a victim" "$ev 1" \
	"$(vals oom nsprobe_oom_kill hog_is_victim)"
check "oom: no memory cgroup left by the workshop" 0 "$(ls -d /sys/fs/cgroup/nsp-workshop-* 2>/dev/null | wc -l)"

# Request/response, one at a time, static neighbours, IPv6 off: each
# request crosses into the container once, each reply back once.
check "veth-latency: exchanges over veth and over lo" "200 200 200" \
	"$(vals veth-latency exchanges rr_veth_count rr_lo_count)"
check "veth-latency: crossings into the container, into the host" "200 200" \
	"$(vals veth-latency cross_into_container cross_into_host)"
check "veth-latency: veth_xmit samples in the container, in the host" "200 200" \
	"$(vals veth-latency xmit_container xmit_host)"
# the question's answers, from the run's numbers (never "unknown")
check "veth-latency: the Why gives the crossings' share and which was faster" "1 1" \
	"$(grep -Eo 'the two together: [0-9]+\.[0-9] us, [0-9]+ % of the veth round trip' <<<"$text" | wc -l) $(grep -Eo 'Faster here: (veth|loopback|neither), by [0-9]+\.[0-9] us' <<<"$text" | wc -l)"
check "no title ends in '?.' in a banner" 0 "$(grep -o '?\. Kernel' <<<"$text" | wc -l)"
"$root/scripts/workshop" --help >/tmp/t_workshop.help 2>/dev/null
check "--help: exit 0, usage and exit statuses on stdout" "0 1 1" \
	"$? $(grep -c '^usage: scripts/workshop' /tmp/t_workshop.help) $(grep -c '^Exit status: 0 done' /tmp/t_workshop.help)"
"$root/scripts/workshop" no-such-thing >/dev/null 2>&1
check "unknown exercise: exit 2" 2 $?
check "no netns left by the workshop" 0 "$(ip netns list | grep -c '^ws-')"

[ "$NSP_FAIL" -eq 0 ] || { echo "  --- workshop output:"; sed 's/^/  | /' "$out"; }
nsp_unload
nsp_summary
