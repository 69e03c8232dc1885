// Matrix products: gemm_acc_p, the register-blocked product the LSTM parts
// call at every step on the recurrent kernel packed in panels, and the
// exported matmul, matmul_plain and matmul_k for large fresh operands, which
// pack their operands block by block. Part of kernels.c (one translation
// unit): lstm_forward.c and lstm_backward.c call the static helpers defined
// here.
//
// Every element of C is the same chain of multiply-adds in k order whatever
// the packing: packing moves operands, never changes the arithmetic.

#include "simd.h"

// Small matrix product: C[m, :] = X[m, :] + A[m, :] Bm, for M rows, N
// columns, K inner. X may equal C, or be null for zeros. Register block of
// RB rows by NV vectors of four columns. fused (a constant at every call):
// each step a fused multiply-add, else a multiply then an add, each
// rounded, which is what XNNPACK's products compute (see matmul_plain).

INLINE void block(int fused, int rb, int nv, int K, const int *rows, int m,
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
        acc[r][j] = fused ? MADD(av, bv[j], acc[r][j])
                          : wasm_f32x4_add(acc[r][j], wasm_f32x4_mul(av, bv[j]));
    }
  }
  for (int r = 0; r < rb; r++)
    for (int j = 0; j < nv; j++) wasm_v128_store(cr[r] + 4 * j, acc[r][j]);
}

// Panels: a [K, N] matrix (N % 4 == 0) stored as column panels of 16, each
// K contiguous rows of 16 floats (the panel of column n at n K), the last
// panel of the N % 16 remaining columns in rows of that width. A block's
// K x 16 slice of B is then one contiguous run instead of K lines a row
// stride apart, which at strides of 1-4 KB fall into a few of L1's sets
// (a 1024 x 1024 product took 88 ms unpacked, 47 packed, on one thread).
INLINE int panel_index(int K, int N, int k, int n) {
  const int n16 = N & ~15;
  return n < n16 ? (n & ~15) * K + 16 * k + (n & 15)
                 : n16 * K + (N - n16) * k + (n - n16);
}

// dst[K, w] = the w columns (a multiple of 4, at most 16) at src of K rows
// with row stride ld; row k is src's row q[k] when q is not null.
INLINE void pack_panel(int K, int w, const float *src, int ld, const int *q,
                       float *dst) {
  for (int k = 0; k < K; k++) {
    const float *r = src + (q ? q[k] : k) * ld;
    for (int j = 0; j < w; j += 4)
      wasm_v128_store(dst + w * k + j, wasm_v128_load(r + j));
  }
}

// p = Bm[K, N] (row stride ldb) in panels (see panel_index).
static void pack_panels(int K, int N, const float *bm, int ldb, float *p) {
  for (int n = 0; n < N; n += 16)
    pack_panel(K, N - n < 16 ? N - n : 16, bm + n, ldb, 0, p + n * K);
}

// The block product over one panel p [K, w] (w a multiple of 4, at most
// 16): C[m, 0..w) = X[m, 0..w) + A[m, :] p for the M rows (see block).
INLINE void panel_product(int fused, int M, const int *rows, int w, int K,
                          const float *a, int lda, const float *p,
                          const float *x, int ldx, const int *xrows, float *c,
                          int ldc) {
  if (w == 16) {
    int m = 0;
    for (; m + 2 <= M; m += 2)
      block(fused, 2, 4, K, rows, m, a, lda, p, 16, x, ldx, xrows, c, ldc);
    for (; m < M; m++)
      block(fused, 1, 4, K, rows, m, a, lda, p, 16, x, ldx, xrows, c, ldc);
    return;
  }
  for (int j = 0; j < w; j += 4) {
    int m = 0;
    for (; m + 4 <= M; m += 4)
      block(fused, 4, 1, K, rows, m, a, lda, p + j, w, x ? x + j : 0, ldx, xrows,
            c + j, ldc);
    for (; m < M; m++)
      block(fused, 1, 1, K, rows, m, a, lda, p + j, w, x ? x + j : 0, ldx, xrows,
            c + j, ldc);
  }
}

// C[m, :] = X[m, :] + A[m, :] Bm for the rows m in [0, M), or rows[m] when
// rows is not null (a gathered subset: the steps' valid rows), with Bm
// [K, N] in panels (see panel_index); N % 4 == 0. Row i of X is X + i ldx,
// or X + xrows[i] ldx when xrows is not null (a row of a table, by id).
static void gemm_acc_p(int M, const int *rows, int N, int K, const float *a,
                       int lda, const float *p, const float *x, int ldx,
                       const int *xrows, float *c, int ldc) {
  for (int n = 0; n < N; n += 16)
    panel_product(1, M, rows, N - n < 16 ? N - n : 16, K, a, lda, p + n * K,
                  x ? x + n : 0, ldx, xrows, c + n, ldc);
}

// C[M, N] = A[M, K] B[K, N], all contiguous row-major, any sizes, summed
// over the inner indices k in [0, K) or, when kk is not null, over
// kk[0..nk) only (in increasing order): the product when the other rows of
// B are zero, such as the recurrent kernel's gradient H_prev^T dZ, whose
// rows at padded steps are. Each element of C takes the same multiply-adds
// in the same order either way, minus those by zero rows, so the two agree
// exactly (up to the sign of an exact zero). Meant for large products whose
// B is new on every call (gradients), where XNNPACK spends more time packing
// B than multiplying. The inner indices are cut into blocks of 256; each
// 256 x 16 panel of a block of B is packed into pk (16 KB, in L1 while
// every row of A passes) and, with kk, the block's listed columns of A
// after it ([M, 256]), so the blocks run on contiguous operands with no
// index lookups.
INLINE void blocked_product(int fused, int M, int N, int K, int nk,
                            const int *kk, const float *a, const float *b,
                            float *c, float *pk) {
  const int N4 = N & ~3;
  pk = ALIGN64(pk);
  float *pb = pk, *pa = pk + 256 * 16;
  for (int k0 = 0; k0 < nk; k0 += 256) {
    const int kb = nk - k0 < 256 ? nk - k0 : 256;
    const int *q = kk ? kk + k0 : 0;
    const float *ak = a + k0, *bk = b + k0 * N;
    int lda = K;
    if (q) {
      for (int m = 0; m < M; m++)
        for (int k = 0; k < kb; k++) pa[m * kb + k] = a[m * K + q[k]];
      ak = pa, bk = b, lda = kb;
    }
    for (int n = 0; n < N4; n += 16) {
      const int w = N4 - n < 16 ? N4 - n : 16;
      pack_panel(kb, w, bk + n, N, q, pb);
      panel_product(fused, M, 0, w, kb, ak, lda, pb, k0 ? c + n : 0, N, 0,
                    c + n, N);
    }
  }
  for (int m = 0; m < M; m++)
    for (int n = N4; n < N; n++) {
      float s = 0.0f;
      for (int k = 0; k < nk; k++) {
        const int i = kk ? kk[k] : k;
        s += a[m * K + i] * b[i * N + n];
      }
      c[m * N + n] = s;
    }
  if (nk == 0)
    for (int m = 0; m < M; m++)
      for (int n = 0; n < N4; n++) c[m * N + n] = 0.0f;
}

// The whole product with fused multiply-adds (see blocked_product).
__attribute__((export_name("matmul"))) void matmul(int M, int N, int K,
                                                    const float *a,
                                                    const float *b, float *c,
                                                    float *pk) {
  blocked_product(1, M, N, K, K, 0, a, b, c, pk);
}

// matmul with each multiply and add rounded on its own, summed from zero in
// k order: the same numbers as XNNPACK's product in tfjs-backend-wasm 4.22
// (tested in tests/backend/big_matmul_test.ts), so a product XNNPACK would
// compute can run here, split over the pool, without changing a digit.
__attribute__((export_name("matmul_plain"))) void
matmul_plain(int M, int N, int K, const float *a, const float *b, float *c,
             float *pk) {
  blocked_product(0, M, N, K, K, 0, a, b, c, pk);
}

// matmul over the inner indices kk[0..nk) only (see blocked_product).
__attribute__((export_name("matmul_k"))) void matmul_k(int M, int N, int K,
                                                        int nk, const int *kk,
                                                        const float *a,
                                                        const float *b,
                                                        float *c, float *pk) {
  blocked_product(1, M, N, K, nk, kk, a, b, c, pk);
}
