// The gradient of a gather: rows added into segments by id. Part of
// kernels.c (one translation unit).

#include "simd.h"

// Segment sum: out[S, D] = for each n, row x[n] added into row ids[n]; rows
// whose id is outside [0, S) are skipped (the caller rejects ids >= S
// before). Only columns [d0, d1) are written, so threads can split the
// columns without sharing a row; d0 is a multiple of 4. This is the
// gradient of a gather (an Embedding lookup, the LSTM's vocabulary table).
__attribute__((export_name("segment_sum"))) void
segment_sum(int N, int D, int S, int d0, int d1, const float *x,
            const int *ids, float *out) {
  const int d4 = d0 + ((d1 - d0) & ~3);
  for (int s = 0; s < S; s++) {
    float *o = out + s * D;
    for (int j = d0; j < d4; j += 4) wasm_v128_store(o + j, wasm_f32x4_splat(0.0f));
    for (int j = d4; j < d1; j++) o[j] = 0.0f;
  }
  for (int n = 0; n < N; n++) {
    const int s = ids[n];
    if (s < 0 || s >= S) continue;
    const float *xr = x + n * D;
    float *o = out + s * D;
    for (int j = d0; j < d4; j += 4)
      wasm_v128_store(o + j, wasm_f32x4_add(wasm_v128_load(o + j),
                                            wasm_v128_load(xr + j)));
    for (int j = d4; j < d1; j++) o[j] += xr[j];
  }
}

