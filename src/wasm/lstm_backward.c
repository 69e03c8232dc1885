// Backpropagation through time of the LSTM recurrence. Part of kernels.c
// (one translation unit): it calls gemm_acc_p from gemm.c.

#include "activations.h"

// ut[G, H] = u[H, G] transposed, in panels of 16 columns (see panel_index
// in gemm.c); called once per backward pass, before the row ranges run. ut
// has 16 floats of slack and is written at ALIGN64(ut), where lstm_backward
// reads it.
__attribute__((export_name("transpose"))) void transpose(int R, int C,
                                                         const float *src,
                                                         float *dst) {
  dst = ALIGN64(dst);
  for (int r = 0; r < R; r++)
    for (int k = 0; k < C; k++) dst[panel_index(C, R, k, r)] = src[r * C + k];
}

// hprev_t [H, B*T] = h_{t-1} transposed, zero at t = 0: the left operand of
// dU = H_prev^T dZ, laid out so that product needs no transposed matMul.
// For rows [b0, b1) of hs [B, T, H].
__attribute__((export_name("shift_transpose"))) void
shift_transpose(int b0, int b1, int B, int T, int H, const float *hs,
                float *hprev_t) {
  const int BT = B * T;
  for (int b = b0; b < b1; b++) {
    for (int k = 0; k < H; k++) hprev_t[k * BT + b * T] = 0.0f;
    // tiles of 32 steps: the reads stay in L1, the writes are runs
    for (int t0 = 1; t0 < T; t0 += 32) {
      const int t1 = t0 + 32 < T ? t0 + 32 : T;
      for (int k = 0; k < H; k++) {
        float *dst = hprev_t + k * BT + b * T;
        for (int t = t0; t < t1; t++) dst[t] = hs[(b * T + t - 1) * H + k];
      }
    }
  }
}

// dhs   [B, T, H]  upstream gradient of every output h_t, or null when
//                  only the last h was an output:
// dhl   [B, H]     then its upstream gradient
// gates [B, T, G]  saved by forward
// cs    [B, T, H]  saved by forward
// mask  [B, T]     as in forward, or null
// ut    [G, H]     u transposed, in panels (see transpose)
// dz    [B, T, G]  out: gradient of the pre-activations, = d xp
// dh, dh2, dc [B, H] scratch (+ 16 floats each, see ALIGN64)
// act   [B]        scratch: the rows valid at a step
// kc    scratch of 16 + 4 KC_VECTORS floats: the constants; one per thread
__attribute__((export_name("lstm_backward"))) void
lstm_backward(int b0, int b1, int T, int H, const float *dhs,
              const float *dhl, const float *gates, const float *cs,
              const float *mask, const float *ut, float *dz, float *dh,
              float *dh2, float *dc, int *act, v4 *kc) {
  const int G = 4 * H;
  ut = ALIGN64(ut);
  dh = ALIGN64(dh);
  dh2 = ALIGN64(dh2);
  dc = ALIGN64(dc);
  const Consts kv = load_consts(ALIGN64(kc)), *k = &kv;
  const v4 one = K(ONE);
  for (int b = b0; b < b1; b++)
    for (int j = 0; j < H; j++) {
      dh[b * H + j] = dhs ? dhs[(b * T + T - 1) * H + j] : dhl[b * H + j];
      dc[b * H + j] = 0.0f;
    }
  for (int t = T - 1; t >= 0; t--) {
    // dh holds the total gradient of h_t for each row.
    int n = 0;
    for (int b = b0; b < b1; b++) {
      if (!mask || mask[b * T + t] != 0.0f) {
        act[n++] = b;
      } else {
        float *dzr = dz + (b * T + t) * G;
        for (int j = 0; j < G; j += 4) wasm_v128_store(dzr + j, wasm_f32x4_splat(0.0f));
      }
    }
    for (int i = 0; i < n; i++) {
      const int b = act[i];
      float *dzr = dz + (b * T + t) * G;
      const float *gr = gates + (b * T + t) * G;
      const float *cr = cs + (b * T + t) * H;
      const float *cp = t > 0 ? cs + (b * T + t - 1) * H : 0;
      float *dhr = dh + b * H, *dcr = dc + b * H;
      for (int j = 0; j < H; j += 4) {
        v4 ig = wasm_v128_load(gr + j), fg = wasm_v128_load(gr + H + j);
        v4 gg = wasm_v128_load(gr + 2 * H + j), og = wasm_v128_load(gr + 3 * H + j);
        v4 tc = tanh4(k, wasm_v128_load(cr + j));
        v4 dhv = wasm_v128_load(dhr + j);
        v4 cprev = cp ? wasm_v128_load(cp + j) : wasm_f32x4_splat(0.0f);
        v4 dct = wasm_f32x4_add(
            wasm_v128_load(dcr + j),
            wasm_f32x4_mul(wasm_f32x4_mul(dhv, og),
                           wasm_f32x4_sub(one, wasm_f32x4_mul(tc, tc))));
        v4 dzo = wasm_f32x4_mul(wasm_f32x4_mul(dhv, tc),
                                wasm_f32x4_mul(og, wasm_f32x4_sub(one, og)));
        v4 dzi = wasm_f32x4_mul(wasm_f32x4_mul(dct, gg),
                                wasm_f32x4_mul(ig, wasm_f32x4_sub(one, ig)));
        v4 dzf = wasm_f32x4_mul(wasm_f32x4_mul(dct, cprev),
                                wasm_f32x4_mul(fg, wasm_f32x4_sub(one, fg)));
        v4 dzg = wasm_f32x4_mul(wasm_f32x4_mul(dct, ig),
                                wasm_f32x4_sub(one, wasm_f32x4_mul(gg, gg)));
        wasm_v128_store(dzr + j, dzi);
        wasm_v128_store(dzr + H + j, dzf);
        wasm_v128_store(dzr + 2 * H + j, dzg);
        wasm_v128_store(dzr + 3 * H + j, dzo);
        wasm_v128_store(dcr + j, wasm_f32x4_mul(dct, fg));
      }
    }
    if (t == 0) break;
    // valid rows: dh_{t-1} = dhs[:, t-1] + dz_t U^T                // [n, H]
    gemm_acc_p(n, act, H, G, dz + t * G, T * G, ut,
             dhs ? dhs + (t - 1) * H : 0, T * H, 0, dh2, H);
    // masked rows pass their whole gradient on unchanged (dc stays too)
    for (int b = b0, i = 0; b < b1; b++) {
      if (i < n && act[i] == b) {
        i++;
        continue;
      }
      float *d2 = dh2 + b * H, *d1 = dh + b * H;
      for (int j = 0; j < H; j += 4) {
        v4 up = dhs ? wasm_v128_load(dhs + (b * T + t - 1) * H + j)
                    : wasm_f32x4_splat(0.0f);
        wasm_v128_store(d2 + j, wasm_f32x4_add(up, wasm_v128_load(d1 + j)));
      }
    }
    float *tmp = dh; dh = dh2; dh2 = tmp;
  }
}
