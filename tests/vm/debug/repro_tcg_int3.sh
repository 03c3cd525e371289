#!/bin/bash
# repro_tcg_int3.sh SECONDS: the "Oops: int3" of docs/reliability.md section
# 6, without nsprobe. Runs in a guest (scripts/vm-run); nsprobe is never
# loaded. Not a t_*.sh: no suite runs it.
#
#   NSP_BUILD=<build> scripts/vm-run --kernel 6.12-rt --timeout 1500 \
#       /usr/bin/env NSP_BUILD=<build> tests/vm/debug/repro_tcg_int3.sh 600
#   NSP_VM_ACCEL=single scripts/vm-run ...     (the same on one host thread)
#
# Two senders, one per vCPU, sigqueue() SIGUSR1 to a process that ignores
# it, in a loop: each call runs __send_signal_locked() (kernel/signal.c,
# 6.1 and 6.12: send_signal_locked() calls it before prepare_signal()
# finds the signal ignored). Meanwhile the script has the kernel patch that
# function's code, over and over, with nothing of ours:
#   - a tracefs kprobe on __send_signal_locked (its ftrace site: enabling
#     and disabling it rewrites the 5-byte call with text_poke_bp());
#   - the signal:signal_generate tracepoint, enabled and disabled (its
#     static key: a jump label inside __send_signal_locked, text_poke_bp()
#     again).
# On hardware every int3 that text_poke_bp() writes is claimed by
# poke_int3_handler() while the patch is in progress, and no CPU can
# execute it after the patch completed (text_poke_sync() serialises every
# CPU). If the guest dies of "Oops: int3" at one of these sites, a vCPU
# executed an int3 that memory no longer held: the emulator's artefact.
#
# Prints "cycles N" every 10 patch cycles and "repro: N cycles in S s, no
# Oops" at the end; the kernel log is judged by vm-run (exit 98 on a report).
secs=${1:-600}
tools=${NSP_BUILD:?NSP_BUILD: the build tree with tools/nsp-sigtool}/tools
T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T || { echo "no tracefs"; exit 1; }
[ -e $T/kprobe_events ] || { echo "no kprobe_events"; exit 1; }

"$tools/nsp-sigtool" ign /tmp/ign.ready 10 &
target=$!
for _ in $(seq 100); do [ -e /tmp/ign.ready ] && break; sleep 0.1; done
[ -e /tmp/ign.ready ] || { echo "the ignoring process did not start"; exit 1; }
senders=()
for _ in 1 2; do
	(while :; do "$tools/nsp-sigtool" sigqueue "$target" 10 100000 || exit; done) &
	senders+=($!)
done

n=0 t0=$SECONDS rc=0
while [ $((SECONDS - t0)) -lt "$secs" ]; do
	echo 'p:nsprepro/k __send_signal_locked' >>$T/kprobe_events || { rc=1; break; }
	echo 1 >$T/events/nsprepro/k/enable
	echo 1 >$T/events/signal/signal_generate/enable
	echo 0 >$T/events/nsprepro/k/enable
	echo 0 >$T/events/signal/signal_generate/enable
	echo '-:nsprepro/k' >>$T/kprobe_events || { rc=1; break; }
	n=$((n + 1))
	[ $((n % 10)) -ne 0 ] || echo "cycles $n"
done
kill -KILL "${senders[@]}" "$target" 2>/dev/null
wait 2>/dev/null
[ $rc -eq 0 ] || { echo "repro: tracefs refused a probe after $n cycles"; exit 1; }
echo "repro: $n cycles in $((SECONDS - t0)) s, no Oops"
