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

nsp_load
ready=$("$root/scripts/workshop" --list | awk '$4 == "ready" {print $1}' | paste -sd' ')
check "ready exercises, in order" "signals-init signals-handler signals-init-exit zombies" "$ready"
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

"$root/scripts/workshop" --summary oom >/tmp/t_workshop.oom 2>&1
check "oom (not yet): exit 4, says so" "4 workshop oom unavailable" "$? $(grep '^workshop ' /tmp/t_workshop.oom)"
"$root/scripts/workshop" no-such-thing >/dev/null 2>&1
check "unknown exercise: exit 2" 2 $?
check "no netns left by the workshop" 0 "$(ip netns list | grep -c '^ws-')"

[ "$NSP_FAIL" -eq 0 ] || { echo "  --- workshop output:"; sed 's/^/  | /' "$out"; }
nsp_unload
nsp_summary
