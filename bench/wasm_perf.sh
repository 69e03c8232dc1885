#!/bin/bash
# Where the machine code of a WebAssembly kernel spends its time: samples a
# running Deno process with Linux perf, copies the JIT code of one wasm
# function out of it with gdb, and prints its disassembly with the share of
# samples on each instruction (or only its hottest ranges with --ranges).
#
#   bench/wasm_perf.sh [--ranges] [--seconds S] FUNCTION SCRIPT [ARGS...]
#
# FUNCTION is an export of the kernel module (matmul, matmul_plain,
# matmul_k, segment_sum, masked_max, masked_max_grad, lstm_forward,
# transpose, shift_transpose, lstm_backward, adam_update, peak_madd),
# NAME+N for the N-th function after it (the static gemm_acc_p, which both
# recurrences call, has no name: it is lstm_forward+1), or an index. SCRIPT
# is run with `deno run -A`; it must keep the kernel busy for a few seconds
# after a warm-up (the profile starts 5 s after launch): `step_bench.ts
# --seconds S` does. Examples: the hottest ranges of the recurrences'
# product in the seed's inference on one thread; every instruction of the
# recurrent kernel's gradient in the matcher's training step:
#
#   bench/wasm_perf.sh --ranges lstm_forward+1 bench/step_bench.ts --models seed --infer --seconds 15
#   bench/wasm_perf.sh matmul_k bench/step_bench.ts --models matcher --seconds 15
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
  sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
fn=$1
shift
if [[ ! $fn =~ ^[0-9]+$ ]]; then
  # an export name (optionally +N): its index in the module's export section
  fn=$(python3 - "$fn" "$(dirname "$0")/../src/wasm/kernels_wasm.ts" <<'PY'
import base64, re, sys
name, _, plus = sys.argv[1].partition("+")
src = open(sys.argv[2]).read()
start = src.index("KERNELS_WASM_RELAXED_BASE64 =")
end = src.index(";", start)
b = base64.b64decode("".join(re.findall(r'"([^"]*)"', src[start:end])))
def leb(i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i
i = 8
while i < len(b):
    size, body = leb(i + 1)
    if b[i] == 7:  # the export section
        n, j = leb(body)
        for _ in range(n):
            length, j = leb(j)
            export = b[j:j + length].decode()
            index, j = leb(j + length + 1)
            if export == name:
                print(index + int(plus or 0))
                sys.exit(0)
    i = body + size
sys.exit(f"no export {name} in the kernel module")
PY
)
fi
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
