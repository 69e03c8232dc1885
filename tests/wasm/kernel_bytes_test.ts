import { ok as assert, strictEqual as equal } from "@std/assert";
import { kernelBase64, relaxedSimd } from "../../src/wasm/kernel_bytes.ts";
import { kcFloats } from "../../src/wasm/lstm_pointers.ts";
import {
  KERNELS_WASM_BASE64,
  KERNELS_WASM_RELAXED_BASE64,
} from "../../src/wasm/kernels_wasm.ts";

interface Exports {
  lstm_forward(...args: number[]): void;
  matmul(...args: number[]): void;
}

function instantiate(base64: string, memory: WebAssembly.Memory): Exports {
  const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { memory },
  }).exports as unknown as Exports;
}

/** Whether /proc/cpuinfo lists the x86 `fma` flag. */
function x86WithFma(): boolean {
  try {
    return / fma( |$)/m.test(Deno.readTextFileSync("/proc/cpuinfo"));
  } catch {
    return false;
  }
}

Deno.test("this Deno runs the relaxed-SIMD kernel (fused multiply-add)", () => {
  assert(relaxedSimd(), "WebAssembly.validate rejected the relaxed build");
  equal(kernelBase64(false), KERNELS_WASM_RELAXED_BASE64);
});

Deno.test("the relaxed and the SIMD128 kernels agree within float32 rounding", () => {
  const B = 3, T = 7, H = 8, G = 4 * H;
  // offsets in floats: xp, u, hs, h, c, z, act, kc (the constants)
  const at = { xp: 0, u: B * T * G, hs: B * T * G + H * G };
  // (c, z and kc with 16 floats of slack: the kernel aligns them)
  const hAt = at.hs + B * T * H, cAt = hAt + B * H, zAt = cAt + B * H + 16;
  const actAt = zAt + B * G + 16, kcAt = actAt + B;
  const end = kcAt + kcFloats(H);
  const run = (base64: string) => {
    const memory = new WebAssembly.Memory({
      initial: Math.ceil((end * 4) / 65536) + 1,
    });
    const f32 = new Float32Array(memory.buffer);
    for (let i = 0; i < B * T * G; i++) f32[at.xp + i] = Math.sin(i * 0.37);
    for (let i = 0; i < H * G; i++) f32[at.u + i] = 0.3 * Math.cos(i * 1.3);
    const k = instantiate(base64, memory);
    // all steps valid (mask 0 = null), sequences out, inference (no gates)
    k.lstm_forward(
      0,
      B,
      T,
      H,
      at.xp * 4,
      at.u * 4,
      0,
      at.hs * 4,
      0,
      0,
      hAt * 4,
      cAt * 4,
      zAt * 4,
      actAt * 4,
      0, // no vocabulary table: ids, idt
      0,
      kcAt * 4,
    );
    return [...f32.subarray(at.hs, at.hs + B * T * H)];
  };
  const plain = run(KERNELS_WASM_BASE64);
  const fused = run(KERNELS_WASM_RELAXED_BASE64);
  let worst = 0, differ = 0;
  plain.forEach((p, i) => {
    worst = Math.max(worst, Math.abs(p - fused[i]!));
    if (p !== fused[i]) differ++;
  });
  assert(worst < 1e-5, `largest difference ${worst}`);
  // the outputs are not all zero, and some of them did round differently
  assert(plain.some((v) => Math.abs(v) > 0.1));
  // where the CPU fuses (x86 with FMA3, as the development and CI machines
  // are), some outputs must round differently: the fused path really runs
  if (x86WithFma()) {
    assert(
      differ > 0,
      "expected the fused build to round some outputs differently",
    );
  }
});
