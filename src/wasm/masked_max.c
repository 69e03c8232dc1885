// Masked max pooling over time and its gradient. Part of kernels.c (one
// translation unit).

#include "simd.h"

// Masked max pooling over time: out[b, h] = max of x[b, t, h] over the steps
// t with mask[b, t] != 0 (all steps when mask is null), and arg[b, h] = the
// first such t; a row with no step gets out 0 and arg -1. The gradient puts
// dy[b, h] at step arg[b, h] and zeros elsewhere. tfjs's own max gradient
// compares every element with the broadcast maximum, which the wasm backend
// runs element by element (about 30 ms per call for [32, 256, 128]).
__attribute__((export_name("masked_max"))) void
masked_max(int B, int T, int H, const float *x, const float *mask, float *out,
           int *arg) {
  const int H4 = H & ~3;
  for (int b = 0; b < B; b++) {
    float *o = out + b * H;
    int *a = arg + b * H;
    int first = -1;
    for (int t = 0; t < T && first < 0; t++)
      if (!mask || mask[b * T + t] != 0.0f) first = t;
    if (first < 0) {
      for (int h = 0; h < H; h++) o[h] = 0.0f, a[h] = -1;
      continue;
    }
    const float *x0 = x + (b * T + first) * H;
    for (int h = 0; h < H; h++) o[h] = x0[h], a[h] = first;
    for (int t = first + 1; t < T; t++) {
      if (mask && mask[b * T + t] == 0.0f) continue;
      const float *xt = x + (b * T + t) * H;
      const v4 tv = wasm_i32x4_splat(t);
      int h = 0;
      for (; h < H4; h += 4) {
        v4 v = wasm_v128_load(xt + h), m = wasm_v128_load(o + h);
        v4 gt = wasm_f32x4_gt(v, m); // strictly greater: the first max wins
        wasm_v128_store(o + h, wasm_v128_bitselect(v, m, gt));
        wasm_v128_store(a + h, wasm_v128_bitselect(tv, wasm_v128_load(a + h), gt));
      }
      for (; h < H; h++)
        if (xt[h] > o[h]) o[h] = xt[h], a[h] = t;
    }
  }
}

__attribute__((export_name("masked_max_grad"))) void
masked_max_grad(int B, int T, int H, const float *dy, const int *arg,
                float *dx) {
  const int n = B * T * H, n4 = n & ~3;
  for (int i = 0; i < n4; i += 4) wasm_v128_store(dx + i, wasm_f32x4_splat(0.0f));
  for (int i = n4; i < n; i++) dx[i] = 0.0f;
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++) {
      const int t = arg[b * H + h];
      if (t >= 0 && t < T) dx[(b * T + t) * H + h] = dy[b * H + h];
    }
}

