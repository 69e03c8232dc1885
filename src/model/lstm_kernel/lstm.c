// LSTM recurrence kernels for WebAssembly SIMD128.
//
// Letters: B batch rows, T timesteps, H units, G = 4H gate columns in the
// order i, f, g (tfjs-layers calls it "c"), o. All arrays are row-major
// float32 and live in the linear memory of tfjs-backend-wasm, which this
// module imports: pointers are tensor offsets in that heap, so no data is
// copied. Nothing here allocates, and there is no static data and no stack
// frame (the build checks both), so the module never writes outside the
// buffers it is given.
//
// Every function works on a range of batch rows [b0, b1): rows never
// interact in an LSTM, so the rows can be split between threads with no
// synchronisation inside the time loop. Scratch arrays are indexed by row,
// so two ranges touch disjoint scratch.
//
// Requirements checked by the caller: H % 4 == 0, float32 pointers.

#include <wasm_simd128.h>

typedef v128_t v4;

#define INLINE static inline __attribute__((always_inline))

// a * b + c. Built with relaxed SIMD (the "_relaxed" variants of the
// module), f32x4.relaxed_madd, which the engine fuses into one instruction
// with one rounding where the CPU has fused multiply-add (x86 FMA3, ARM);
// otherwise a multiply and an add.
#ifdef __wasm_relaxed_simd__
#define MADD(a, b, c) __builtin_wasm_relaxed_madd_f32x4((a), (b), (c))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

// tfjs-backend-wasm places tensors at 8-byte boundaries, so one v128 access
// in four crosses a cache line, which costs extra: measured with every array
// 8 bytes off a line, the forward ran 25% slower (inference) and 35% slower
// (training). The kernels therefore keep their own scratch on 64-byte
// boundaries: each scratch argument has 16 floats of slack, and ALIGN64 rounds
// its pointer up (the same for every thread, as it depends on the pointer
// only). The recurrent kernel, read at every step, is copied into aligned
// scratch first.
#define ALIGN64(p) ((__typeof__(p))(((unsigned)(p) + 63u) & ~63u))

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------
// Small matrix product: C[m, :] = X[m, :] + A[m, :] Bm, for M rows, N
// columns, K inner. X may equal C, or be null for zeros. Register block of
// RB rows by NV vectors of four columns; the loop over column blocks is
// outside the loop over rows so a K x 4NV panel of Bm stays in L1 for all
// rows.

INLINE void block(int rb, int nv, int K, const int *rows, int m,
                  const float *a, int lda, const float *bm, int ldb,
                  const float *x, int ldx, const int *xrows, float *c,
                  int ldc) {
  const float *ar[4], *xr[4];
  float *cr[4];
  for (int r = 0; r < rb; r++) {
    const int i = rows ? rows[m + r] : m + r;
    ar[r] = a + i * lda;
    xr[r] = x ? x + (xrows ? xrows[i] : i) * ldx : 0;
    cr[r] = c + i * ldc;
  }
  v4 acc[4][4];
  for (int r = 0; r < rb; r++)
    for (int j = 0; j < nv; j++)
      acc[r][j] = x ? wasm_v128_load(xr[r] + 4 * j) : wasm_f32x4_splat(0.0f);
  for (int k = 0; k < K; k++) {
    v4 bv[4];
    for (int j = 0; j < nv; j++) bv[j] = wasm_v128_load(bm + k * ldb + 4 * j);
    for (int r = 0; r < rb; r++) {
      v4 av = wasm_v128_load32_splat(ar[r] + k);
      for (int j = 0; j < nv; j++)
        acc[r][j] = MADD(av, bv[j], acc[r][j]);
    }
  }
  for (int r = 0; r < rb; r++)
    for (int j = 0; j < nv; j++) wasm_v128_store(cr[r] + 4 * j, acc[r][j]);
}

// The rows are m in [0, M), or rows[m] when rows is not null (a gathered
// subset: the steps' valid rows). Row i of X is X + i ldx, or
// X + xrows[i] ldx when xrows is not null (a row of a table, by id).
static void gemm_acc(int M, const int *rows, int N, int K, const float *a,
                     int lda, const float *bm, int ldb, const float *x,
                     int ldx, const int *xrows, float *c, int ldc) {
  int n = 0;
  for (; n + 16 <= N; n += 16) {
    int m = 0;
    for (; m + 2 <= M; m += 2)
      block(2, 4, K, rows, m, a, lda, bm + n, ldb, x ? x + n : 0, ldx, xrows,
            c + n,
            ldc);
    for (; m < M; m++)
      block(1, 4, K, rows, m, a, lda, bm + n, ldb, x ? x + n : 0, ldx, xrows,
            c + n,
            ldc);
  }
  for (; n + 4 <= N; n += 4) {
    int m = 0;
    for (; m + 4 <= M; m += 4)
      block(4, 1, K, rows, m, a, lda, bm + n, ldb, x ? x + n : 0, ldx, xrows,
            c + n,
            ldc);
    for (; m < M; m++)
      block(1, 1, K, rows, m, a, lda, bm + n, ldb, x ? x + n : 0, ldx, xrows,
            c + n,
            ldc);
  }
}

// C[M, N] = A[M, K] B[K, N], all contiguous row-major, any sizes. Meant for
// large products whose B is new on every call (gradients), where XNNPACK
// spends more time packing B than multiplying. K is cut into blocks of 256
// so a 256 x 16 panel of B (16 KB) stays in L1 while every row of A passes.
__attribute__((export_name("matmul"))) void matmul(int M, int N, int K,
                                                    const float *a,
                                                    const float *b, float *c) {
  const int N4 = N & ~3;
  for (int k0 = 0; k0 < K; k0 += 256) {
    const int kb = K - k0 < 256 ? K - k0 : 256;
    gemm_acc(M, 0, N4, kb, a + k0, K, b + k0 * N, N, k0 ? c : 0, N, 0, c, N);
  }
  for (int m = 0; m < M; m++)
    for (int n = N4; n < N; n++) {
      float s = 0.0f;
      for (int k = 0; k < K; k++) s += a[m * K + k] * b[k * N + n];
      c[m * N + n] = s;
    }
  if (K == 0)
    for (int i = 0; i < M * N4; i++) c[i] = 0.0f;
}

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------
// Forward.
//
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
//       aligned copy of u; one per thread
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
  for (int i = 0; i < G * H; i += 4) wasm_v128_store(ua + i, wasm_v128_load(u + i));
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
      gemm_acc(n, act, G, H, h, H, u, G, xp, G, idt, zt, ldz);
    } else {
      gemm_acc(n, act, G, H, h, H, u, G, xp + t * G, T * G, 0, zt, ldz);
    }
    for (int i = 0; i < n; i++) {
      const int b = act[i];
      float *zr = zt + b * ldz, *hr = h + b * H, *cr = c + b * H;
      for (int j = 0; j < H; j += 4) {
        v4 ig = sigmoid4(k, wasm_v128_load(zr + j));
        v4 fg = sigmoid4(k, wasm_v128_load(zr + H + j));
        v4 gg = tanh4(k, wasm_v128_load(zr + 2 * H + j));
        v4 og = sigmoid4(k, wasm_v128_load(zr + 3 * H + j));
        v4 cn = wasm_f32x4_add(wasm_f32x4_mul(fg, wasm_v128_load(cr + j)),
                               wasm_f32x4_mul(ig, gg));
        wasm_v128_store(cr + j, cn);
        wasm_v128_store(hr + j, wasm_f32x4_mul(og, tanh4(k, cn)));
        if (gates) {
          wasm_v128_store(zr + j, ig);
          wasm_v128_store(zr + H + j, fg);
          wasm_v128_store(zr + 2 * H + j, gg);
          wasm_v128_store(zr + 3 * H + j, og);
        }
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

// ---------------------------------------------------------------------------
// Backward.

// ut[G, H] = u[H, G] transposed; called once per backward pass, before the
// row ranges run. ut has 16 floats of slack and is written at ALIGN64(ut),
// where lstm_backward reads it.
__attribute__((export_name("transpose"))) void transpose(int R, int C,
                                                         const float *src,
                                                         float *dst) {
  dst = ALIGN64(dst);
  for (int r = 0; r < R; r++)
    for (int k = 0; k < C; k++) dst[k * R + r] = src[r * C + k];
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
// ut    [G, H]     u transposed (see transpose)
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
    gemm_acc(n, act, H, G, dz + t * G, T * G, ut, H,
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
