#!/bin/bash
# The bash completion offers every option each command's --help lists (and
# nsprobe's own), so a new option cannot be left out of it unnoticed.
#
# Usage: completion.sh <repo root> <nsprobe binary>
set -u
root=$1
nsprobe=$2
# shellcheck source=/dev/null
source "$root/userspace/cli/completion/nsprobe.bash"
# help_opts [cmd]: the options a --help lists ("  -i,--interval SEC ...").
help_opts() {
	"$nsprobe" "$@" --help | sed -nE 's/^  (-[-a-z]+(,-[-a-z]+)*).*/\1/p' | tr ',' '\n'
}
failed=0
for cmd in '' status show signals latency drops watch reset serve export; do
	# shellcheck disable=SC2206 # $cmd is one word or none
	COMP_WORDS=(nsprobe $cmd '')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_nsprobe
	offered=" ${COMPREPLY[*]} "
	# shellcheck disable=SC2086
	for opt in $(help_opts $cmd); do
		[ "$opt" = -h ] && continue	# --help stands for it
		case $offered in *" $opt "*) ;; *)
			echo "FAIL: nsprobe ${cmd:+$cmd }$opt is in --help but not completed"
			failed=1 ;;
		esac
	done
done
[ "$failed" = 0 ] && echo "ok: the completion offers every option of every --help"
exit "$failed"
