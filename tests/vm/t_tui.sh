#!/bin/bash
# vm-kernels: 6.12
# What a person sees on a real terminal (issue 14, item 7). tmux gives each
# command a real terminal of a fixed size (250x50): `nsprobe watch`,
# `nsprobe signals --events --follow` and `nsprobe latency`. After a known
# scene (N datagrams over a veth pair, K ignored SIGTERMs to a pid
# namespace's init), `tmux capture-pane` reads each screen as text and the
# checks assert what is on it: the exact counts, the names a person knows
# the netns by, the column words, and that NO_COLOR leaves no styled cell
# while without it the header is bold (capture-pane -e gives each cell's
# attributes as escape sequences).
# One kernel: the screens are the tool's rendering, the counts behind them
# are checked on every kernel by the other tests.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
. "$(dirname "$0")/lib_sig.sh"
N=300 S=100 K=3 TERM_=15

command -v tmux >/dev/null || die "tmux is not installed (scripts/setup installs it)"
tui_cleanup() {
	tmux kill-server 2>/dev/null
	[ -n "${init:-}" ] && kill -KILL "$init" 2>/dev/null
	veth_cleanup
}
on_exit tui_cleanup	# (one EXIT trap: it calls veth_cleanup)
modprobe veth
nsp_load latency=1
veth_pair a b
udp_sink "$b" 5001
ns_new ctr tui
in_ctr=$(ns_inum "$ctr")
start_pidns_init init "$ctr" /tmp/tui.ready

export TERM=xterm-256color
unset NO_COLOR	# per window: tmux new-window -e NO_COLOR=1
tmux -f /dev/null new-session -d -s nsp -x 250 -y 50 \
	"$NSPROBE signals --events --follow --netns $ctr --exclude-signal CHLD; sleep 600" ||
	die "tmux new-session"
# screen PANE: what the pane shows now, as text (trailing blanks cut)
screen() { tmux capture-pane -p -t "$1" | sed 's/[[:space:]]*$//'; }
# styled PANE: SGR sequences that set an attribute (bold, a colour, ...) in
# the pane's cells as tmux renders them; resets (0, 39, 49) are not counted
styled() { tmux capture-pane -e -p -t "$1" | grep -oE $'\e\\[[0-9;]*m' | grep -vcE $'^\e\\[(0|39|49)?m$'; }
# on_screen PANE TEXT: the screen holds TEXT (for wait_until)
on_screen() { screen "$1" | grep -qF -- "$2"; }
# screen_count PANE ERE: lines of the screen matching ERE
screen_count() { screen "$1" | grep -cE -- "$2"; }

# --- signals --events --follow: K ignored SIGTERMs appear, one line each ---
for ((i = 0; i < K; i++)); do kill -TERM "$init"; done
wait_until 30 sig_ctr_ge "$in_ctr" $TERM_ ignored "$K"
ignored_lines() { screen_count nsp:0 'SIGTERM.*ignored'; }
ignored_lines_ge() { [ "$(ignored_lines)" -ge "$1" ]; }
wait_until 30 ignored_lines_ge $K
check "events --follow: one line per ignored SIGTERM on the screen" $K "$(ignored_lines)"
check "events --follow: one header, naming the netns" 1 "$(screen_count nsp:0 "^netns $in_ctr:[0-9]+ \\(.*$ctr.*\\): live")"
check "events --follow: no SIGCHLD (excluded)" 0 "$(screen_count nsp:0 SIGCHLD)"

# --- latency: N datagrams, N crossings into b's device ---
udp_send "$a" 10.88.0.2 5001 $N $S
wait_kstat "$b" vb rx_packets $N
tmux new-window -t nsp -n lat "$NSPROBE latency --netns $b; sleep 600"
wait_until 30 on_screen nsp:lat "crossing matcher"
check "latency: the cross histogram of vb counts N" 1 \
	"$(screen_count nsp:lat "\($b\) dev vb \(ifindex [0-9]+\) cross: count $N,")"
check "latency: the scope line says what is not measured" 1 \
	"$(screen_count nsp:lat '^measured: .*not measured: qdisc, IP/UDP/TCP stack and socket time')"
check "latency: every bucket on the screen carries its unit" "$(screen_count nsp:lat '^\[')" \
	"$(screen_count nsp:lat '^\[[0-9.]+(ns|µs|ms|s), [0-9.]+(ns|µs|ms|s)\)')"

# --- watch: a refreshing screen, netns by name, one set of column words ---
tmux new-window -e NO_COLOR=1 -t nsp -n watch "$NSPROBE watch -i 1; sleep 600"
tmux new-window -t nsp -n watchc "$NSPROBE watch -i 1; sleep 600"
# a netns row: "INUM NAME * rates..."
ns_row() { screen_count nsp:watch "^[0-9]+ +$1 +\\* "; }
ns_rows_up() { [ "$(ns_row "$a")" -ge 1 ] && [ "$(ns_row "$b")" -ge 1 ]; }
wait_until 30 ns_rows_up
check "watch: both netns of the pair, by name" "1 1" "$(ns_row "$a") $(ns_row "$b")"
check "watch: the host's netns is called host" 1 "$(ns_row host)"
check "watch: column words as in show" 1 "$(screen_count nsp:watch 'RX_PACKETS/S.*TX_PACKETS/S')"
header_up() { on_screen nsp:watchc RX_PACKETS/S; }
wait_until 30 header_up
check "watch: styled cells with NO_COLOR, without (the bold header)" "0 1" \
	"$(styled nsp:watch) $(styled nsp:watchc)"
[ "$NSP_FAIL" -eq 0 ] || for w in 0 lat watch watchc; do echo "  --- screen nsp:$w:"; screen "nsp:$w" | sed 's/^/  | /'; done

# The readers go first: a debugfs file a reader holds open pins the module.
tmux kill-server
readers_gone() { ! pgrep -x nsprobe >/dev/null; }
wait_until 20 readers_gone || echo "  (nsprobe readers still running after 20 s: $(pgrep -ax nsprobe))"
nsp_unload
nsp_summary
