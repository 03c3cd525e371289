# bash completion for nsprobe(1). Installed to
# share/bash-completion/completions/nsprobe.
_nsprobe()
{
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		status|show|signals|latency|watch|reset|serve|export|drops) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	--debugfs|--textfile) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--netns|--why)
		COMPREPLY=($(compgen -W "$(ls /run/netns 2>/dev/null)" -- "$cur"))
		return ;;
	--signal|--exclude-signal)
		COMPREPLY=($(compgen -W "$(kill -l | grep -oE 'SIG[A-Z0-9+-]+' | sed 's/^SIG//')" -- "${cur^^}"))
		return ;;
	-i|--interval|-n|--count|--dev|--listen|--max-netns|--max-age|--rescan|--since) return ;;
	esac
	local opts
	case $cmd in
	'') COMPREPLY=($(compgen -W "status show signals latency watch reset serve export drops --debugfs --version --help" -- "$cur")); return ;;
	status) opts="--json" ;;
	show) opts="--json --wide --netns" ;;
	signals) opts="--json --netns --events --follow --signal --exclude-signal --since --why --all" ;;
	latency) opts="--json --netns --dev" ;;
	drops) opts="--json --netns" ;;
	watch) opts="-i --interval -n --count --netns --wide --rescan --plain --json" ;;
	reset) opts="--netns" ;;
	serve) opts="--listen --max-netns --max-age" ;;
	export) opts="--textfile --max-netns" ;;
	esac
	COMPREPLY=($(compgen -W "$opts --debugfs --help" -- "$cur"))
}
complete -F _nsprobe nsprobe
