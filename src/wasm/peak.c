// peak_madd: a loop of fused multiply-adds on registers only, no memory
// traffic, for the bench's measured SIMD peak of this machine (bench/peak.ts
// times it; FLOPs = iters x ACCS x 4 lanes x 2). ACCS independent chains
// cover the latency of the multiply-add (4-5 cycles on x86) times the two
// multiply-add units of a core, with room to spare; more would spill out of
// the 16 vector registers V8 allocates. Part of kernels.c (one translation
// unit).

#include "simd.h"

#define ACCS 12

__attribute__((export_name("peak_madd"))) float peak_madd(int iters, float x) {
  // acc = acc * m + x: stays finite for |m| < 1 (tends to x / (1 - m))
  const v4 m = wasm_f32x4_splat(0.999f);
  const v4 xs = wasm_f32x4_splat(x);
  v4 a0 = xs, a1 = xs, a2 = xs, a3 = xs, a4 = xs, a5 = xs, a6 = xs, a7 = xs,
     a8 = xs, a9 = xs, a10 = xs, a11 = xs;
  for (int i = 0; i < iters; i++) {
    a0 = MADD(a0, m, xs);
    a1 = MADD(a1, m, xs);
    a2 = MADD(a2, m, xs);
    a3 = MADD(a3, m, xs);
    a4 = MADD(a4, m, xs);
    a5 = MADD(a5, m, xs);
    a6 = MADD(a6, m, xs);
    a7 = MADD(a7, m, xs);
    a8 = MADD(a8, m, xs);
    a9 = MADD(a9, m, xs);
    a10 = MADD(a10, m, xs);
    a11 = MADD(a11, m, xs);
  }
  v4 s = wasm_f32x4_add(
      wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)),
      wasm_f32x4_add(wasm_f32x4_add(a4, a5), wasm_f32x4_add(a6, a7)));
  s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(a8, a9),
                                       wasm_f32x4_add(a10, a11)));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) +
         wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
}
