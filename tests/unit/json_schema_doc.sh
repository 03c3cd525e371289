#!/bin/bash
# Every key path the nsprobe tool prints in JSON must be listed in
# docs/json-schema.md, in the section of the command that printed it or in
# "Common". Keeps the documented schema and the renderers in step. Only key
# paths are checked, not their types or meanings.
#
# Documents checked:
#  - each golden file tests/fixtures/golden/<command>*.json (show.json, ...);
#  - given the built tool, real runs against fixture debugfs trees: the live
#    format 1.2 files of tests/fuzz/corpus/fuzz_debugfs/live-* (status, show,
#    signals, signals --events, latency, one frame of watch), the format 1.3
#    tree tests/fixtures/debugfs/v1_3 (status, show, signals, signals
#    --events), signals --why on tests/fixtures/debugfs/why (golden files
#    why_*.json are its; events_*.json are signals --events --json), and a tree without the module (status and show: the
#    counters.reason/message keys).
#    show and watch also list this machine's own namespaces and links.
#
# A table row lists paths in backticks in its first cell; a path starting
# with "." continues the first path of its cell, less that path's last key
# ("`probes[].name`, `.symbol`" lists probes[].symbol). `a[]` also covers
# `a` (the array itself).
#
# Usage: json_schema_doc.sh <repo root> [nsprobe binary]. Exit 77 (skipped)
# without jq.
set -u
root=$1
nsprobe=${2:-}
doc=$root/docs/json-schema.md
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# The paths documented for one command: its section ("## `nsprobe CMD
# --json`...") and "## Common", first cells of table rows, expanded.
doc_paths() { # <command words, e.g. "signals --events">
	awk -v want="\`nsprobe $1 --json\`" '
		/^## / { on = index($0, want) > 0 || $0 == "## Common"; next }
		on && /^\|/ { split($0, cell, "|"); print cell[2] }' "$doc" |
	while IFS= read -r cell; do
		base=
		grep -o '`[^`]*`' <<<"$cell" | tr -d '`' | while IFS= read -r p; do
			case $p in
			.*) [ -n "$base" ] && echo "$base$p" ;;
			*) base=${p%.*}; [ "$base" = "$p" ] && base=; echo "$p" ;;
			esac
		done
	done | sort -u
}

# The key paths of one or more JSON documents (JSON Lines too).
json_paths() { # <file>
	jq -r '[paths | map(if type == "number" then "[]" else "." + . end) | join("")
		| sub("^\\."; "")] | unique[]' "$1" | sort -u
}

check() { # <command words> <json file> <label>
	local cmd=$1 file=$2 label=$3 n=0
	if ! jq -e . "$file" >/dev/null 2>&1; then
		echo "FAIL: $label: not JSON"; failed=1; return
	fi
	doc_paths "$cmd" >"$tmp/doc"
	if [ ! -s "$tmp/doc" ]; then
		echo "FAIL: $label: no section \`nsprobe $cmd --json\` in docs/json-schema.md"
		failed=1; return
	fi
	while read -r path; do
		n=$((n + 1))
		grep -qxF -e "$path" -e "$path[]" "$tmp/doc" && continue
		echo "FAIL: $label: $path is not in the \`nsprobe $cmd --json\` section of docs/json-schema.md"
		failed=1
	done < <(json_paths "$file")
	echo "checked: $label ($n key paths)"
}

# Golden files: the command is the file name up to the first '_' or '.'.
for g in "$root"/tests/fixtures/golden/*.json; do
	[ -e "$g" ] || continue
	name=$(basename "$g")
	case ${name%%[_.]*} in
	show|status|signals|latency|watch) check "${name%%[_.]*}" "$g" "golden $name" ;;
	why) check "signals --why" "$g" "golden $name" ;;
	events) check "signals --events" "$g" "golden $name" ;;
	*) echo "FAIL: golden $name: which command printed it? (extend json_schema_doc.sh)"; failed=1 ;;
	esac
done

# Real runs on fixture trees.
if [ -z "$nsprobe" ]; then
	echo "SKIP: real runs (no nsprobe binary given)"
else
	live=$tmp/live
	mkdir -p "$live/nsprobe" "$tmp/none"
	for f in "$root"/tests/fuzz/corpus/fuzz_debugfs/live-*; do
		cp "$f" "$live/nsprobe/${f##*/live-}"
	done
	run() { # <label> <command words for the doc> <exit status> <debugfs> <args...>
		local label=$1 cmd=$2 want=$3 dir=$4 rc
		shift 4
		local out=$tmp/out.json
		"$nsprobe" --debugfs "$dir" "$@" >"$out" 2>"$tmp/err"
		rc=$?
		if [ "$rc" -ne "$want" ]; then
			echo "FAIL: $label: exit $rc, want $want"; cat "$tmp/err"; failed=1; return
		fi
		check "$cmd" "$out" "$label"
	}
	run "status --json (live 1.2)" status 0 "$live" status --json
	run "show --json (live 1.2)" show 0 "$live" show --json
	run "signals --json (live 1.2)" signals 0 "$live" signals --json
	run "signals --events --json (live 1.2)" "signals --events" 0 "$live" signals --events --json
	run "latency --json (live 1.2)" latency 0 "$live" latency --json
	run "watch --json (live 1.2)" watch 0 "$live" watch --json -n 1 -i 0.05
	v13=$root/tests/fixtures/debugfs/v1_3
	run "status --json (fixture 1.3)" status 0 "$v13" status --json
	run "show --json (fixture 1.3)" show 0 "$v13" show --json
	run "signals --json (fixture 1.3)" signals 0 "$v13" signals --json
	run "signals --events --json (fixture 1.3)" "signals --events" 0 "$v13" signals --events --json
	v14=$root/tests/fixtures/debugfs/v1_4
	run "status --json (fixture 1.4)" status 0 "$v14" status --json
	run "signals --json (fixture 1.4)" signals 0 "$v14" signals --json
	run "signals --events --json (fixture 1.4)" "signals --events" 0 "$v14" signals --events --json
	run "signals --why --json (fixture 1.4, dead netns)" "signals --why" 0 "$v14" signals --why 4026532201:12 --json
	why=$root/tests/fixtures/debugfs/why
	run "signals --why --json (fixture why)" "signals --why" 0 "$why" signals --why 4026532301 --json
	run "status --json (no nsprobe/, not debugfs)" status 4 "$tmp/none" status --json
	run "show --json (no module)" show 0 "$tmp/none" show --json
fi

[ $failed -eq 0 ] && echo "ok: every key path printed is documented"
exit $failed
