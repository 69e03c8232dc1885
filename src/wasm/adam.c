// adam_update: one Adam step over n weights, computed as tfjs's
// AdamOptimizer computes it op by op in float32 (the same operations in the
// same order, each rounded to float32, so the result is bit-identical):
//   m' = m b1 + g c1                 c1 = 1 - b1 (as float32)
//   v' = v b2 + (g g) c2             c2 = 1 - b2
//   w' = ((m' / d1) / (sqrt(v' / d2) + eps)) (-lr) + w
// with d1 = 1 - b1^t and d2 = 1 - b2^t (float32, from the optimizer's
// accumulated powers). Writes w', m', v' to fresh buffers (tfjs caches work
// by buffer, e.g. XNNPACK's packed weights, so weights never change in
// place). Part of kernels.c (one translation unit).

#include "simd.h"

#pragma clang fp contract(off) // no fused multiply-add: tfjs rounds each op

__attribute__((export_name("adam_update"))) void
adam_update(int n, const float *w, const float *g, const float *m,
            const float *v, float *w2, float *m2, float *v2, float b1,
            float c1, float b2, float c2, float d1, float d2, float eps,
            float neglr) {
  int i = 0;
  const v4 vb1 = wasm_f32x4_splat(b1), vc1 = wasm_f32x4_splat(c1);
  const v4 vb2 = wasm_f32x4_splat(b2), vc2 = wasm_f32x4_splat(c2);
  const v4 vd1 = wasm_f32x4_splat(d1), vd2 = wasm_f32x4_splat(d2);
  const v4 veps = wasm_f32x4_splat(eps), vlr = wasm_f32x4_splat(neglr);
  for (; i + 4 <= n; i += 4) {
    const v4 gi = wasm_v128_load(g + i);
    const v4 mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), vb1),
                                 wasm_f32x4_mul(gi, vc1));
    const v4 vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), vb2),
                                 wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), vc2));
    const v4 mh = wasm_f32x4_div(mi, vd1);
    const v4 vh = wasm_f32x4_div(vi, vd2);
    const v4 step = wasm_f32x4_mul(
        wasm_f32x4_div(mh, wasm_f32x4_add(wasm_f32x4_sqrt(vh), veps)), vlr);
    wasm_v128_store(m2 + i, mi);
    wasm_v128_store(v2 + i, vi);
    wasm_v128_store(w2 + i, wasm_f32x4_add(step, wasm_v128_load(w + i)));
  }
  for (; i < n; i++) {
    const float mi = m[i] * b1 + g[i] * c1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * c2;
    const float step = ((mi / d1) / (__builtin_sqrtf(vi / d2) + eps)) * neglr;
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = step + w[i];
  }
}
