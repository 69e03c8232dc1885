#!/bin/bash
# Where the machine code of a WebAssembly kernel spends its time: samples a
# running Deno process with Linux perf, copies the JIT code of one wasm
# function out of it with gdb, and prints its disassembly with the share of
# samples on each instruction (or only its hottest ranges with --ranges).
#
#   bench/wasm_perf.sh [--ranges] [--seconds S] FUNCTION SCRIPT [ARGS...]
#
# FUNCTION is the index of the function in the kernel module (its exports,
# in order: 0 matmul, 1 matmul_k, 2 segment_sum, 3 masked_max,
# 4 masked_max_grad, 5 lstm_forward, 6 gemm_acc_p (static), 7 transpose,
# 8 shift_transpose, 9 lstm_backward, 10 adam_update, 11 peak_madd; check
# with `llvm-objdump-16 -d` on the module if the sources change). SCRIPT is
# run with `deno run -A`; it must keep the kernel busy for a few seconds
# after a warm-up (the profile starts 5 s after launch): `step_bench.ts
# --seconds S` does. Example, lstm_forward in the seed's inference on one
# thread, its hottest ranges:
#
#   bench/wasm_perf.sh --ranges 5 bench/step_bench.ts --models seed --infer --seconds 15
#
# Needs perf (kernel.perf_event_paranoid <= 2), gdb, objdump and python3.
# Deno's release build has no disassembler of its own; V8 writes a map of
# its code (--perf-basic-prof, /tmp/perf-PID.map), which names the samples.
set -euo pipefail
ranges=0
seconds=4
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --ranges) ranges=1; shift ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ $# -lt 2 ]]; then
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
fn=$1
shift
work=$(mktemp -d /tmp/wasm-perf-XXXXXX)
cd "$work"
script=$1
[[ $script == /* ]] || script="$OLDPWD/$script"
deno run -A --v8-flags=--perf-basic-prof "$script" "${@:2}" >deno.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 5
perf record -q -p "$pid" -o perf.data -- sleep "$seconds" 2>/dev/null
read -r addr size _ < <(grep -E "wasm-function\[$fn\]-$fn-turbofan" "/tmp/perf-$pid.map" | tail -1) || {
  echo "wasm function $fn was not compiled by TurboFan in the profiled process" >&2
  exit 1
}
gdb -p "$pid" -batch -ex "dump memory code.bin 0x$addr $(printf '0x%x' $((0x$addr + 0x$size)))" >/dev/null 2>&1
kill "$pid" 2>/dev/null || true
{ perf report -i perf.data --stdio --sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -6; } || true
perf script -i perf.data -F ip 2>/dev/null >ips.txt
objdump -D -b binary -mi386:x86-64 code.bin >code.txt
python3 - "$addr" "$ranges" "$fn" <<'EOF'
import collections, sys
start, ranges = int(sys.argv[1], 16), sys.argv[2] == "1"
ips = [int(x, 16) for x in open("ips.txt").read().split()]
hits = collections.Counter(ip - start for ip in ips)
total = len(ips)
lines = []
for line in open("code.txt"):
    head, _, text = line.partition(":")
    try:
        off = int(head.strip(), 16)
    except ValueError:
        continue
    lines.append((off, text.strip()))
inside = sum(n for off, n in hits.items() if 0 <= off <= lines[-1][0])
print(f"wasm function {sys.argv[3]} (code at 0x{sys.argv[1]}): {100 * inside / total:.1f}% of {total} samples")
if ranges:
    per = collections.Counter()
    for off, n in hits.items():
        if 0 <= off <= lines[-1][0]:
            per[off // 128 * 128] += n
    for off in sorted(per):
        if 100 * per[off] / total >= 0.5:
            print(f"  {off:#7x}  {100 * per[off] / total:5.1f}%")
else:
    for off, text in lines:
        share = 100 * hits.get(off, 0) / total
        print(f"{share:5.2f}  {off:5x}  {text}")
EOF
echo "perf data, map and code kept in $work"
