#!/bin/bash
# Every key path of `nsprobe show --json` (the golden document) must be listed
# in docs/json-schema.md, as `path` in the show table. Keeps the documented
# schema and the renderer in step. Usage: json_schema_doc.sh <repo root>
set -u
root=$1
doc=$root/docs/json-schema.md
golden=$root/tests/fixtures/golden/show.json
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 0; }
missing=0
while read -r path; do
	grep -qF -e "\`$path\`" -e "\`$path[]\`" "$doc" || { echo "FAIL: $path is not in docs/json-schema.md"; missing=1; }
done < <(jq -r '[paths | map(if type == "number" then "[]" else "." + . end) | join("")
	| sub("^\\."; "") | gsub("\\.\\[\\]"; "[]") | gsub("\\]\\."; "].")] | unique[]
	| select(test("^(netns|skipped)"))' "$golden" | sed 's/\]\.\./]./g')
[ $missing -eq 0 ] && echo "ok: every key of show --json is documented"
exit $missing
