#!/bin/bash
# lib_cg.sh: cgroup v2 helpers for the VM tests that need a cgroup: memory
# cgroups for OOM scenes (t_sig_oom), the cgroup a dead netns is remembered
# by (t_postmortem). Source after lib.sh.
#
#   cg_setup           cgroup2 at /sys/fs/cgroup, the memory controller on
#   new_cg VAR [MAX]   a fresh cgroup named into VAR; with MAX, memory.max
#                      MAX bytes and no swap
#   in_cg CG CMD...    run CMD in cgroup CG, in the foreground
#   cg_cleanup         kill every task of the cgroups new_cg made, remove them
CG_LIST=()

cg_setup() {
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
	grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control
}

new_cg() {
	local -n _cg=$1
	_cg=/sys/fs/cgroup/nsp-$(basename "$0" .sh)-$(printf '%04x' $RANDOM)
	mkdir "$_cg" || die "mkdir $_cg"
	if [ -n "${2:-}" ]; then
		echo "$2" >"$_cg/memory.max"
		[ -e "$_cg/memory.swap.max" ] && echo 0 >"$_cg/memory.swap.max"
	fi
	CG_LIST+=("$_cg")
}

in_cg() {
	local cg=$1
	shift
	bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

cg_cleanup() {
	local cg p
	for cg in "${CG_LIST[@]}"; do
		for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p"; done 2>/dev/null
		wait_until 10 test ! -s "$cg/cgroup.procs"
		rmdir "$cg" 2>/dev/null
	done
	CG_LIST=()
}
