// The LSTM recurrence forward over all steps. Part of kernels.c (one
// translation unit): it calls pack_panels and gemm_acc_p from gemm.c.

#include "activations.h"

// xp    [B, T, G]  input projection x W + b
// u     [H, G]     recurrent kernel
// mask  [B, T]     0 = carry state unchanged; null = all steps valid
// hs    [B, T, H]  out: h_t (the carried h at masked steps); may be null
//                  when only the last h is wanted (it is left in h)
// cs    [B, T, H]  out: c_t; may be null when gates is null (inference)
// gates [B, T, G]  out: i, f, g, o after activation (zeros at masked steps);
//                  null for inference, then z is used instead
// h     [B, H]     out: the last h (scratch state during the loop)
// c     [B, H]     scratch state (+ 16 floats, see ALIGN64)
// z     [B, G]     scratch pre-activations (used when gates is null; + 16)
// act   [B]        scratch: the rows valid at a step. Masked rows cost no
//                  arithmetic, so padding is nearly free.
// ids   [B, T]     token ids, or null. When given, xp is a table [V, G]
//                  (the projected vocabulary) and step t of row b reads
//                  row ids[b, t] of it: no [B, T, G] array is gathered.
// idt   [B]        scratch: the step's ids (used with ids)
// kc    scratch of 16 + 4 KC_VECTORS + G H floats: the constants and an
//       aligned copy of u in panels of 16 columns (see panel_index in
//       gemm.c); one per thread
__attribute__((export_name("lstm_forward"))) void
lstm_forward(int b0, int b1, int T, int H, const float *xp, const float *u,
             const float *mask, float *hs, float *cs, float *gates, float *h,
             float *c, float *z, int *act, const int *ids, int *idt, v4 *kc) {
  const int G = 4 * H;
  kc = ALIGN64(kc);
  c = ALIGN64(c);
  z = ALIGN64(z);
  const Consts kv = load_consts(kc), *k = &kv;
  float *ua = (float *)(kc + KC_VECTORS);
  pack_panels(H, G, u, G, ua);
  u = ua;
  for (int i = b0 * H; i < b1 * H; i++) h[i] = 0.0f, c[i] = 0.0f;
  for (int t = 0; t < T; t++) {
    int n = 0;
    for (int b = b0; b < b1; b++) {
      if (!mask || mask[b * T + t] != 0.0f) {
        act[n++] = b;
      } else if (gates) {
        float *zr = gates + (b * T + t) * G;
        for (int j = 0; j < G; j += 4) wasm_v128_store(zr + j, wasm_f32x4_splat(0.0f));
      }
    }
    // pre-activations of the valid rows: xp[b, t] + h_{t-1}[b] U    // [n, G]
    float *zt = gates ? gates + t * G : z;
    const int ldz = gates ? T * G : G;
    if (ids) {
      for (int i = 0; i < n; i++) idt[act[i]] = ids[act[i] * T + t];
      gemm_acc_p(n, act, G, H, h, H, u, xp, G, idt, zt, ldz);
    } else {
      gemm_acc_p(n, act, G, H, h, H, u, xp + t * G, T * G, 0, zt, ldz);
    }
    // Two passes per row: the gates in place (each loop one activation, its
    // iterations independent), then the cell. One pass over all five
    // activations had long dependent chains and more constants than
    // registers.
    for (int i = 0; i < n; i++) {
      const int b = act[i];
      float *zr = zt + b * ldz, *hr = h + b * H, *cr = c + b * H;
      for (int j = 0; j < 2 * H; j += 4)
        wasm_v128_store(zr + j, sigmoid4(k, wasm_v128_load(zr + j)));
      for (int j = 2 * H; j < 3 * H; j += 4)
        wasm_v128_store(zr + j, tanh4(k, wasm_v128_load(zr + j)));
      for (int j = 3 * H; j < G; j += 4)
        wasm_v128_store(zr + j, sigmoid4(k, wasm_v128_load(zr + j)));
      for (int j = 0; j < H; j += 4) {
        v4 ig = wasm_v128_load(zr + j), fg = wasm_v128_load(zr + H + j);
        v4 gg = wasm_v128_load(zr + 2 * H + j), og = wasm_v128_load(zr + 3 * H + j);
        v4 cn = wasm_f32x4_add(wasm_f32x4_mul(fg, wasm_v128_load(cr + j)),
                               wasm_f32x4_mul(ig, gg));
        wasm_v128_store(cr + j, cn);
        wasm_v128_store(hr + j, wasm_f32x4_mul(og, tanh4(k, cn)));
      }
    }
    for (int b = b0; b < b1; b++) {
      if (hs) {
        float *ho = hs + (b * T + t) * H, *hr = h + b * H;
        for (int j = 0; j < H; j += 4) wasm_v128_store(ho + j, wasm_v128_load(hr + j));
      }
      if (cs) {
        float *co = cs + (b * T + t) * H, *cr = c + b * H;
        for (int j = 0; j < H; j += 4) wasm_v128_store(co + j, wasm_v128_load(cr + j));
      }
    }
  }
}

