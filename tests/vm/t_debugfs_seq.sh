#!/bin/bash
# The per-netns debugfs files (netns, devices, signals, events, latency) are
# seq_file iterators, one record per netns (kmod/debugfs.c, "Walking the
# namespaces"): a read resumes after the last netns it emitted, by a key
# the walks give each netns in net_namespace_list order.
#
#   N netns (default 100: each file is then 6 pages or more), created one
#   after the other, alternately on CPU 0 and CPU 1 (so their cookies, drawn from per-CPU batches, are not
#   in list order), each with a veth pair and a sleep process that gets
#   SIGWINCH (ignored) SMALL times, the first netns BIG times (its events
#   record, about 20 KiB, is larger than a page: seq_file grows the buffer
#   for that record alone). nsprobe with latency=1 (one more file).
#
#   1. every file read with cat and with dd bs=100 (a read() per 100
#      bytes, so a start() per record) is the same, several pages long,
#      with exactly the expected records for our netns, each netns once
#      and in creation order (the list's); during the cat of events each
#      netns is rendered once, plus at most once per read() (a kprobe
#      event on nsp_sigev_show_net() counts them);
#   2. reads (dd bs=100) while every other netns is destroyed: in each,
#      every survivor exactly once with all its records, no netns twice;
#   3. with NSP_SEQ_BASE=DIR (DIR/kmod/<kernel>/nsprobe.ko: the module
#      before the iterators, single_open), the five files of the
#      survivors' state, freshly loaded and signalled the same way, are
#      byte-identical between the two modules (events: ts_ns, sender_pid
#      and sender_tgid masked, which differ between two sends); and the
#      walk no longer restarts: during a cat of events, the iterators
#      render each netns less than twice, single_open 3 times or more
#      (nsp_sigev_show_net() calls, counted by a kprobe event).
. "$(dirname "$0")/lib.sh"
[ -n "${NSP_TRACE:-}" ] && set -x
N=${NSP_SEQ_NETNS:-100}
BIG=60 SMALL=3 WINCH=28
FILES="netns devices signals events latency"
pfx=seq-$RANDOM
kname=$(basename "$(dirname "$NSP_KO")")
names=() pids=() inums=()
out=/tmp/seq
mkdir -p $out

cleanup() {
	[ ${#pids[@]} -gt 0 ] && kill -KILL "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	ip netns list | awk -v p="$pfx-" 'index($1, p) == 1 {print $1}' |
		xargs -r -n1 ip netns del 2>/dev/null
	grep -q '^nsprobe ' /proc/modules && rmmod nsprobe
	modprobe -r veth 2>/dev/null
}
on_exit cleanup
modprobe veth || die "modprobe veth"
nsp_load latency=1

ncpu=$(nproc)
for ((i = 0; i < N; i++)); do
	names+=("$pfx-$i")
	taskset -c $((i % ncpu)) ip netns add "${names[i]}" || die "ip netns add ${names[i]}"
done
for ((i = 0; i < N; i++)); do
	echo "link add name a$i netns ${names[i]} type veth peer name b$i netns ${names[i]}"
done | ip -batch - || die "ip -batch: veth pairs"
for ((i = 0; i < N; i++)); do
	inums+=("$(ns_inum "${names[i]}")")
	nsenter --net="/run/netns/${names[i]}" sleep 100000 &
	pids+=($!)
	disown $!	# no "Killed" line from bash for each victim
done
echo "  $N netns, $ncpu CPUs"

# signal_all [ALIVE_ONLY]: SIGWINCH, BIG x to the first netns' sleep, SMALL
# x to every other one (with ALIVE_ONLY, to the survivors only).
signal_all() {
	local i n
	for ((i = 0; i < N; i++)); do
		[ -n "${1:-}" ] && [ $((i % 2)) -eq 1 ] && continue
		n=$SMALL
		[ "$i" -eq 0 ] && n=$BIG
		nsp-sigtool sigqueue "${pids[i]}" $WINCH $n || die "sigqueue to ${pids[i]}"
	done
}
signal_all

# The inums of our netns, one per line, for awk.
printf '%s\n' "${inums[@]}" >$out/ours

# per_netns FILE TYPE: "inum count" of the TYPE records of our netns in
# FILE, in order of first appearance.
per_netns() {
	awk -v t="$2" 'NR == FNR { ours[$1] = 1; next }
		$1 == t { split($2, p, "="); if (p[2] in ours) { if (!(p[2] in n)) o[++k] = p[2]; n[p[2]]++ } }
		END { for (i = 1; i <= k; i++) print o[i], n[o[i]] }' $out/ours "$1"
}

# expect TYPE COUNT0 COUNT: the per_netns output if every netns of ours
# has COUNT records of TYPE, the first COUNT0, in creation order.
expect() {
	local i
	for ((i = 0; i < N; i++)); do
		if [ "$i" -eq 0 ]; then echo "${inums[i]} $2"; else echo "${inums[i]} $3"; fi
	done
}

# same_list FILE1 FILE2: "same (K lines)" if the two files hold the same
# lines, else the first two lines of their diff. (No <(...) in the guest:
# it has no /dev/fd.)
same_list() {
	if cmp -s "$1" "$2"; then
		echo "same ($(wc -l <"$1") lines)"
	else
		diff "$1" "$2" | grep '^[<>]' | head -2 | tr '\n' ' '
	fi
}

# rec_ids FILE: a digest of the type and inum of FILE's records but those
# whose number in the host netns changes between two reads (ev, sig).
rec_ids() { awk '$1 != "ev" && $1 != "sig" && $1 != "node_sig" { print $1, $2 }' "$1" | md5sum; }

# quiet FILE: FILE without the host netns' records and the node_sig rows,
# which count what the test's own commands do in the host netns (SIGCHLD
# of every command) and so change between two reads.
host=$(stat -L -c %i /proc/self/ns/net)
quiet() { grep -v -e " inum=$host " -e '^node_sig ' "$1"; }

# Renders of a netns's events: nsp_sigev_show_net() calls, counted by a
# kprobe event (kprobe_profile, by its name without the group).
trc=/sys/kernel/tracing
[ -d $trc/events ] || trc=/sys/kernel/debug/tracing
hits() { awk '$1 == "nspseq_ev" { print $2 }' $trc/kprobe_profile; }
renders_on() {
	echo 'p:nspseq/nspseq_ev nsprobe:nsp_sigev_show_net' >>$trc/kprobe_events || die "kprobe event"
	echo 0 >$trc/tracing_on
	echo 1 >$trc/events/nspseq/enable
}
renders_off() {
	echo 0 >$trc/events/nspseq/enable
	echo '-:nspseq/nspseq_ev' >>$trc/kprobe_events
	echo 1 >$trc/tracing_on
}

# ---- 1. cat and dd bs=100, exact records ------------------------------------
for f in $FILES; do
	[ "$f" = events ] && renders_on && h0=$(hits)
	cat "$NSP_DEBUGFS/$f" >$out/cat.$f || die "cat $f"
	[ "$f" = events ] && renders=$(($(hits) - h0)) && renders_off
	dd if="$NSP_DEBUGFS/$f" bs=100 of=$out/dd.$f 2>/dev/null || die "dd $f"
	quiet $out/cat.$f >$out/cat.$f.q
	quiet $out/dd.$f >$out/dd.$f.q
	check "$f: cat and dd bs=100 read the same bytes (host netns aside)" same \
		"$(cmp -s $out/cat.$f.q $out/dd.$f.q && echo same || echo "differ ($(wc -c <$out/cat.$f.q) vs $(wc -c <$out/dd.$f.q) bytes)")"
	# (signals: only sig and node_sig rows, which rec_ids leaves out)
	[ "$f" = signals ] ||
		check "$f: the same records, host netns included" "$(rec_ids $out/cat.$f)" "$(rec_ids $out/dd.$f)"
	check "$f: more than 4 pages" yes "$([ "$(wc -c <$out/cat.$f)" -gt 16384 ] && echo yes || echo "no, $(wc -c <$out/cat.$f) bytes")"
	echo "        $f: $(wc -c <$out/cat.$f) bytes, $(wc -l <$out/cat.$f) lines"
done
nets=$(raw_field stats stats netns)
check "netns: one record per netns of the system (stats netns=)" "$nets" \
	"$(awk '$1 == "netns"' $out/cat.netns | wc -l)"
check "netns: no inum twice" 0 "$(awk '$1 == "netns" { print $2 }' $out/cat.netns | sort | uniq -d | wc -l)"
check_list() { expect x "$3" "$4" >$out/want; per_netns "$1" "$2" >$out/got; check "$5" "same ($N lines)" "$(same_list $out/want $out/got)"; }
check_list $out/cat.netns netns 1 1 "netns: ours once each, in creation order"
if [ "$ncpu" -ge 2 ]; then
	# The test's premise: the list order is not the cookie order.
	check "netns: our cookies are not increasing in list order" yes \
		"$(awk 'NR == FNR { ours[$1] = 1; next } $1 == "netns" { split($2, p, "="); split($3, c, "="); if (p[2] in ours) { if (c[2] + 0 < last) inv++; last = c[2] + 0 } } END { print (inv > 0 ? "yes" : "no") }' $out/ours $out/cat.netns)"
fi
check_list $out/cat.devices dev 2 2 "devices: 2 per netns of ours, in order"
check_list $out/cat.signals sig 1 1 "signals: one sig row (SIGWINCH) per netns of ours, in order"
check "signals: generated per row" "$BIG $((SMALL * (N - 1)))" \
	"$(awk 'NR == FNR { ours[$1] = 1; next } $1 == "sig" { split($2, p, "="); if (p[2] in ours) for (i = 3; i <= NF; i++) if ($i ~ /^generated=/) { v = substr($i, 11); if (first == "") first = v; else rest += v } } END { print first, rest }' $out/ours $out/cat.signals)"
check "signals: the node_sig rows last (trailer), SIGWINCH generated" "after $((BIG + SMALL * (N - 1)))" \
	"$(awk '$1 == "sig" { ls = NR } $1 == "node_sig" { if (!fn) fn = NR; if ($2 == "signo=" w) for (i = 3; i <= NF; i++) if ($i ~ /^generated=/) g = substr($i, 11) } END { print (fn > ls ? "after" : "before"), g }' w=$WINCH $out/cat.signals)"
check_list $out/cat.events evring 1 1 "events: one evring per netns of ours, in order"
# The walk never restarts: one render per netns, plus at most one per
# read() of cat (the record that did not fit, shown again by the next
# read()). single_open walked every netns again at each doubling of the
# buffer: 3 walks or more for a file over 16 KiB.
evnets=$(grep -c '^evring ' $out/cat.events)
check "events: each netns rendered once or more, less than twice, in one cat" yes \
	"$([ "$renders" -ge "$evnets" ] && [ "$renders" -lt $((2 * evnets)) ] && echo yes || echo "no: $renders for $evnets netns")"
check_list $out/cat.events ev $BIG $SMALL "events: the ev records of ours ($BIG, then $SMALL each)"
check "events: the first netns' record is more than a page" yes \
	"$(awk -v i="inum=${inums[0]}" '$2 == i { b += length($0) + 1 } END { print (b > 4096 ? "yes" : "no " b) }' $out/cat.events)"
check "latency: the header first, once" "1 1" \
	"$(awk '$1 == "latency" { n++; if (NR == 1) f = 1 } END { print n + 0, f + 0 }' $out/cat.latency)"
check_list $out/cat.latency dev_hist 4 4 "latency: dev_hist 2 devices x 2 kinds per netns of ours"
check_list $out/cat.latency netns_hist 2 2 "latency: netns_hist 2 kinds per netns of ours"

# select inum= cookie= after=0 (format 1.5) on an open events file, read
# with bs=100: the first netns' evring and its BIG events, nothing else.
cookie0=$(raw_field netns netns cookie "inum=${inums[0]}")
sel=$( { printf 'select inum=%s cookie=%s after=0\n' "${inums[0]}" "$cookie0" >&3; dd bs=100 <&3 2>/dev/null; } 3<>"$NSP_DEBUGFS/events")
check "events select (bs=100): the evring, $BIG ev, nothing else" "1 $BIG 0" \
	"$(grep -c "^evring inum=${inums[0]} cookie=$cookie0 " <<<"$sel") $(grep -c "^ev inum=${inums[0]} cookie=$cookie0 " <<<"$sel") $(grep -vc " inum=${inums[0]} cookie=$cookie0 " <<<"$sel")"
grep " inum=${inums[0]} " $out/cat.events >$out/want
printf '%s\n' "$sel" >$out/got
check "events select: the same lines as that netns' in the whole file" "same $((BIG + 1)) lines" "$(same_list $out/want $out/got | sed 's/[()]//g')"

# ---- 1b. byte for byte: small read()s against big ones, every selection -------
# nsp-readcmp (tests/tools): from one open file, a big pass, a pass of
# 100-byte (then 4097-byte) read()s, a big pass; the two big passes equal
# (nothing changed meanwhile, retried up to 5 times), the small one must be
# the same bytes, host netns included.
readcmp() {
	local r
	r=$(nsp-readcmp "$NSP_DEBUGFS/$1" "$2" 5 "$3" 100 4097 | tr '\n' ' ')
	check "$4: bs=100 and bs=4097 read()s byte-identical to big ones" ok \
		"$(grep -q -e differ -e unstable <<<"$r" && echo "$r" || echo ok)"
}
for f in $FILES; do readcmp $f "" $out/big.$f "$f"; done
cookie1=$(raw_field netns netns cookie "inum=${inums[1]}")
half=$((N / 2))
# G: the gseq of the last event of netns N/2 (signalled in index order).
G=$(awk -v i="inum=${inums[half]}" '$1 == "ev" && $2 == i { for (k = 3; k <= NF; k++) if ($k ~ /^gseq=/) g = substr($k, 6) } END { print g + 0 }' $out/big.events)
wmask=$((1 << (WINCH - 1)))
sels=("select all"
	"select inum=${inums[0]} cookie=$cookie0 after=0"
	"select inum=${inums[0]} cookie=$cookie0 after=$((BIG / 2)) signals=$wmask"
	"select inum=${inums[1]} cookie=$cookie1 after=0 signals=1"
	"select gseq_after=0"
	"select gseq_after=$G"
	"select gseq_after=$G signals=$wmask")
for ((k = 0; k < ${#sels[@]}; k++)); do
	readcmp events "${sels[k]}" $out/sel.$k "events ${sels[k]#select }"
done
# (two processes: the host netns' events differ between them)
quiet $out/sel.0 >$out/sel.0.q
quiet $out/big.events >$out/big.events.q
check "events select all: the whole file (host netns aside)" "same $(wc -l <$out/big.events.q) lines" \
	"$(same_list $out/big.events.q $out/sel.0.q | sed 's/[()]//g')"
check "events one netns: its evring and $BIG ev, nothing else" "1 $BIG $((BIG + 1))" \
	"$(grep -c '^evring ' $out/sel.1) $(grep -c "^ev inum=${inums[0]} " $out/sel.1) $(wc -l <$out/sel.1)"
check "events one netns after=$((BIG / 2)) SIGWINCH: its evring and $((BIG - BIG / 2)) ev" "$((BIG - BIG / 2 + 1))" "$(wc -l <$out/sel.2)"
check "events one netns, SIGHUP only: its evring alone" "1 1" "$(grep -c "^evring inum=${inums[1]} " $out/sel.3) $(wc -l <$out/sel.3)"
check "events gseq_after=0: the evnode header first, once" "1 1" \
	"$(awk '$1 == "evnode" { n++; if (NR == 1) f = 1 } END { print n + 0, f + 0 }' $out/sel.4)"
check_list $out/sel.4 evring 1 1 "events gseq_after=0: one evring per netns of ours, in order"
check "events gseq_after=G: only the netns signalled after netns N/2" "$((N - 1 - half))" \
	"$(per_netns $out/sel.5 evring | wc -l)"
check "events gseq_after=G SIGWINCH: their $SMALL ev each" "$((SMALL * (N - 1 - half)))" \
	"$(per_netns $out/sel.6 ev | awk '{ s += $2 } END { print s + 0 }')"

# ---- 2. reads while every other netns is destroyed -----------------------------
# Survivors: even indexes; victims: odd ones (their sleep killed, then the
# netns deleted; it dies when cleanup_net() gets to it).
: >$out/surv
for ((i = 0; i < N; i += 2)); do echo "${inums[i]}" >>$out/surv; done
rm -f $out/deldone
(
	for ((i = 1; i < N; i += 2)); do
		kill -KILL "${pids[i]}"
		ip netns del "${names[i]}"
	done
	touch $out/deldone
) &
delpid=$!
# round FILE TYPE PER: one dd bs=100 read of FILE; prints "ok", or what is
# wrong: a survivor without exactly PER records of TYPE, a record twice
# (its identity: inum, and ifindex or signo for dev and sig).
round() {
	dd if="$NSP_DEBUGFS/$1" bs=100 of=$out/round 2>/dev/null || { echo "dd failed"; return; }
	awk -v t="$2" -v per="$3" 'NR == FNR { s[$1] = 1; next }
		$1 == t {
			split($2, p, "="); n[p[2]]++
			id = (t == "dev" || t == "sig") ? $2 " " $4 : $2
			if (++seen[id] == 2) { printf "%s twice; ", id; bad = 1 }
		}
		END {
			for (i in s) if (n[i] != per) { printf "survivor %s: %d %s records; ", i, n[i], t; bad = 1 }
			if (!bad) print "ok"
		}' $out/surv $out/round
}
rounds=0 during=0 partial=0 bad=()
specs=("netns netns 1" "events evring 1" "devices dev 2" "signals sig 1")
while :; do
	[ -e $out/deldone ] && done_before=1 || done_before=0
	spec=${specs[rounds % 4]}
	r=$(round $spec)
	rounds=$((rounds + 1))
	[ $done_before -eq 0 ] && during=$((during + 1))
	[ "$r" = ok ] || bad+=("${spec%% *}: $r")
	# Some victims seen and some not: that read saw netns die.
	v=$(awk 'NR == FNR { s[$1] = 1; next } $1 != "dev" && $1 != "ev" { split($2, p, "="); if (p[1] == "inum" && !(p[2] in s)) seen[p[2]] = 1 } END { print length(seen) }' $out/surv $out/round)
	[ "$v" -gt 0 ] && [ "$v" -lt $((N / 2)) ] && partial=$((partial + 1))
	[ $done_before -eq 1 ] && [ $rounds -ge 4 ] && break
done
wait $delpid
check "reads during the deletions: survivors once each, no netns twice" "0 bad" "${#bad[@]} bad${bad[0]:+: ${bad[*]}}"
check "reads began while netns were being deleted" yes "$([ $during -ge 1 ] && echo yes || echo "no ($rounds rounds)")"
echo "        $rounds rounds, $during begun during the deletions, $partial saw some of the victims but not all"
for ((i = 1; i < N; i += 2)); do echo "${inums[i]}"; done >$out/victims
victims_gone() { [ "$(awk 'NR == FNR { v[$1] = 1; next } $1 == "netns" { split($2, p, "="); if (p[2] in v) n++ } END { print n + 0 }' $out/victims "$NSP_DEBUGFS/netns")" = 0 ]; }
wait_until 120 victims_gone
for ((i = 0; i < N; i += 2)); do echo "${inums[i]} 1"; done >$out/want
dd if="$NSP_DEBUGFS/netns" bs=100 2>/dev/null >$out/after.netns
per_netns $out/after.netns netns >$out/got
check "afterwards: the victims are gone, the survivors once each" "same $(((N + 1) / 2)) lines" "$(same_list $out/want $out/got | sed 's/[()]//g')"

# ---- 3. the same state under the module before the iterators -------------------
# fresh_dump KO DIR: load KO (latency=1), signal the survivors, dump the
# five files into DIR, unload. DIR/renders: how many times the module
# rendered a netns' events (nsp_sigev_show_net(), a kprobe event counted
# in kprobe_profile, by its name without the group) during the cat of events.
fresh_dump() {
	local f h0
	rmmod nsprobe 2>/dev/null
	insmod "$1" latency=1 || die "insmod $1"
	signal_all alive
	mkdir -p "$2"
	renders_on
	for f in $FILES; do
		h0=$(hits)
		cat "$NSP_DEBUGFS/$f" >"$2/$f" || die "cat $f ($1)"
		[ "$f" = events ] && echo $(($(hits) - h0)) >"$2/renders"
	done
	renders_off
	rmmod nsprobe || die "rmmod ($1)"
}
mask() { sed -E 's/ (ts_ns|sender_pid|sender_tgid)=[0-9]+/ \1=X/g'; }
base=${NSP_SEQ_BASE:+$NSP_SEQ_BASE/kmod/$kname/nsprobe.ko}
if [ -n "$base" ]; then
	[ -f "$base" ] || die "no $base"
	fresh_dump "$NSP_KO" $out/new
	fresh_dump "$base" $out/base
	for f in netns devices signals latency; do
		quiet $out/new/$f >$out/new/$f.q
		quiet $out/base/$f >$out/base/$f.q
		check "$f: byte-identical to the single_open module's (host netns aside)" \
			"same $(wc -l <$out/base/$f.q) lines" "$(same_list $out/base/$f.q $out/new/$f.q | sed 's/[()]//g')"
	done
	quiet $out/new/events | mask >$out/new/events.q
	quiet $out/base/events | mask >$out/base/events.q
	check "events: identical to the single_open module's (host netns aside; times, senders masked)" \
		"same $(wc -l <$out/base/events.q) lines" "$(same_list $out/base/events.q $out/new/events.q | sed 's/[()]//g')"
	# Not a comparison of two empty files: the survivors' events are there.
	check "events: the survivors' ev records in both" "$((BIG + SMALL * ((N + 1) / 2 - 1))) $((BIG + SMALL * ((N + 1) / 2 - 1)))" \
		"$(per_netns $out/new/events ev | awk '{ s += $2 } END { print s + 0 }') $(per_netns $out/base/events ev | awk '{ s += $2 } END { print s + 0 }')"
	# The walk no longer restarts: one render per netns, plus one per
	# read() of cat (the record that did not fit in the buffer, shown
	# again by the next read(); each read() returns at least one record):
	# under 2 per netns. single_open walked every netns again at each
	# doubling of the buffer (4 KiB to the file's size: 3 walks or more
	# for a file over 16 KiB).
	nets=$(grep -c '^evring ' $out/new/events)
	r=$(cat $out/new/renders)
	check "events: the iterators render each netns once or more, less than twice" yes \
		"$([ "$r" -ge "$nets" ] && [ "$r" -lt $((2 * nets)) ] && echo yes || echo "no: $r for $nets netns")"
	check "events: single_open rendered each netns 3 times or more" yes \
		"$([ "$(cat $out/base/renders)" -ge $((3 * nets)) ] && echo yes || echo "no: $(cat $out/base/renders) for $nets netns")"
	echo "        events, $(wc -c <$out/new/events) bytes, $nets netns: $(cat $out/new/renders) renders (iterators), $(cat $out/base/renders) (single_open)"
	echo "        compared with $base"
else
	echo "  (NSP_SEQ_BASE unset: no comparison with the module before the iterators)"
fi
nsp_summary
