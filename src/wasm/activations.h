// Sigmoid and tanh, four lanes at a time, for lstm_forward.c and
// lstm_backward.c. Part of kernels.c (one translation unit).
#pragma once

#include "simd.h"

// Activations, four lanes at a time.
//
// Their constants are read from memory, not written as v128.const: V8
// (Deno 2.9) builds a v128.const from immediates at every use, several
// instructions each, and the activations use about twenty of them; with the
// constants in locals loaded from memory the sigmoid runs in 2.0 instead of
// 3.5 ns per four lanes (measured here). So each kernel that evaluates
// activations first stores the constants into a scratch area `kc` (KC_VECTORS
// vectors after ALIGN64; the forward keeps its copy of the recurrent kernel
// after them), hides the store from the compiler (an empty asm statement that
// may touch memory, so clang cannot fold the loads back into constants), and
// loads them into locals.

enum {
  K_ONE, K_NEG_ONE,
  K_SIG_HI, K_SIG_LO, K_NEG_LOG2E, K_SHIFTER, K_LN2_HI, K_LN2_LO,
  K_NEG_E5, K_E4, K_NEG_E3, K_E2,
  K_TANH_HI, K_TANH_LO,
  K_P4, K_P3, K_P2, K_P1, K_Q4, K_Q3, K_Q2, K_Q1,
  K_COUNT
};

// Size of the kc scratch area in vectors (16 bytes each), with room to spare.
#define KC_VECTORS 32
_Static_assert(K_COUNT <= KC_VECTORS, "kc is too small for the constants");

typedef struct {
  v4 v[K_COUNT];
} Consts;

#define K(name) (k->v[K_##name])

// Stores the constants into kc and returns them loaded back into locals.
INLINE Consts load_consts(v4 *kc) {
  kc[K_ONE] = wasm_f32x4_splat(1.0f);
  kc[K_NEG_ONE] = wasm_f32x4_splat(-1.0f);
  // sigmoid: see sigmoid4
  kc[K_SIG_HI] = wasm_f32x4_splat(87.3f);
  kc[K_SIG_LO] = wasm_f32x4_splat(-88.3f);
  kc[K_NEG_LOG2E] = wasm_f32x4_splat(-1.44269504f);
  kc[K_SHIFTER] = wasm_f32x4_splat(12582912.0f + 127.0f);
  kc[K_LN2_HI] = wasm_f32x4_splat(0.693145752f);
  kc[K_LN2_LO] = wasm_f32x4_splat(1.42860677e-6f);
  kc[K_NEG_E5] = wasm_f32x4_splat(-0.00831254106f);
  kc[K_E4] = wasm_f32x4_splat(0.0418902412f);
  kc[K_NEG_E3] = wasm_f32x4_splat(-0.166671157f);
  kc[K_E2] = wasm_f32x4_splat(0.499992311f);
  // tanh: see tanh4
  kc[K_TANH_HI] = wasm_f32x4_splat(9.0f);
  kc[K_TANH_LO] = wasm_f32x4_splat(-9.0f);
  kc[K_P4] = wasm_f32x4_splat(1.3354769734519323e-08f);
  kc[K_P3] = wasm_f32x4_splat(2.060916813206859e-05f);
  kc[K_P2] = wasm_f32x4_splat(0.003495593788102269f);
  kc[K_P1] = wasm_f32x4_splat(0.13381031155586243f);
  kc[K_Q4] = wasm_f32x4_splat(7.776604320497427e-07f);
  kc[K_Q3] = wasm_f32x4_splat(0.0003285643761046231f);
  kc[K_Q2] = wasm_f32x4_splat(0.025877004489302635f);
  kc[K_Q1] = wasm_f32x4_splat(0.4671434760093689f);
  __asm__ volatile("" ::: "memory");
  Consts k;
  for (int i = 0; i < K_COUNT; i++) k.v[i] = kc[i];
  return k;
}

// 1 / (1 + e^-x). e^y = 2^n e^r with n = round(y / ln2), |r| <= ln2 / 2, for
// y = -x clamped to [-87.3, 88.3]. Adding 1.5 * 2^23 + 127 rounds y / ln2 to
// an integer n held in the low mantissa bits, so (bits << 23) is the float
// 2^n. e^r is a degree-5 polynomial with 1 + r fixed, fitted here for
// relative error (1.1e-7 in float64 on the interval; about 2e-7 in float32).
// The negation is folded into the constants (two operations fewer): the code
// computes r' = x + n ln2 = -r (ln2 in two parts, the first exact in n ln2)
// and the polynomial in r' with alternating signs: the same magnitudes, and
// without fused multiply-add the same roundings as the plain formula.
INLINE v4 sigmoid4(const Consts *k, v4 x) {
  // pmin/pmax are single instructions; min/max also order NaNs and zeros
  x = wasm_f32x4_pmax(wasm_f32x4_pmin(x, K(SIG_HI)), K(SIG_LO));
  v4 t = MADD(x, K(NEG_LOG2E), K(SHIFTER));
  v4 n = wasm_f32x4_sub(t, K(SHIFTER));
  v4 r = MADD(n, K(LN2_HI), x);
  r = MADD(n, K(LN2_LO), r);
  v4 p = K(NEG_E5);
  p = MADD(p, r, K(E4));
  p = MADD(p, r, K(NEG_E3));
  p = MADD(p, r, K(E2));
  p = MADD(p, r, K(NEG_ONE));
  p = MADD(p, r, K(ONE));
  v4 e = wasm_f32x4_mul(p, wasm_i32x4_shl(t, 23));
  return wasm_f32x4_div(K(ONE), wasm_f32x4_add(K(ONE), e));
}

// tanh(x) = x P(x^2) / Q(x^2) on [-9, 9] (beyond, tanh is 1 to within
// 3e-8), P and Q of degree 4 fitted here for relative error: 2e-8 in
// float64, 3.5e-7 in float32, including near 0 where small outputs live.
// No exp and one division; the result is clamped to [-1, 1] against
// rounding at the ends.
INLINE v4 tanh4(const Consts *k, v4 x) {
  x = wasm_f32x4_pmax(wasm_f32x4_pmin(x, K(TANH_HI)), K(TANH_LO));
  v4 s = wasm_f32x4_mul(x, x);
  v4 p = K(P4);
  p = MADD(p, s, K(P3));
  p = MADD(p, s, K(P2));
  p = MADD(p, s, K(P1));
  p = MADD(p, s, K(ONE));
  v4 q = K(Q4);
  q = MADD(q, s, K(Q3));
  q = MADD(q, s, K(Q2));
  q = MADD(q, s, K(Q1));
  q = MADD(q, s, K(ONE));
  v4 t = wasm_f32x4_div(wasm_f32x4_mul(x, p), q);
  return wasm_f32x4_pmax(wasm_f32x4_pmin(t, K(ONE)), K(NEG_ONE));
}

