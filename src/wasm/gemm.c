// Matrix products: gemm_acc, the register-blocked product the LSTM parts
// call at every step, and the exported matmul for large fresh operands.
// Part of kernels.c (one translation unit): lstm_forward.c and
// lstm_backward.c call the static gemm_acc defined here.

#include "simd.h"

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


// As block, over the inner indices kk[0..K) only: column kk[k] of A and row
// kk[k] of Bm. Rows m..m+rb of A and C, all contiguous; X is C or null.
INLINE void block_k(int rb, int nv, int K, const int *kk, int m,
                    const float *a, int lda, const float *bm, int ldb,
                    int accumulate, float *c, int ldc) {
  const float *ar[4];
  float *cr[4];
  for (int r = 0; r < rb; r++) {
    ar[r] = a + (m + r) * lda;
    cr[r] = c + (m + r) * ldc;
  }
  v4 acc[4][4];
  for (int r = 0; r < rb; r++)
    for (int j = 0; j < nv; j++)
      acc[r][j] = accumulate ? wasm_v128_load(cr[r] + 4 * j)
                             : wasm_f32x4_splat(0.0f);
  for (int k = 0; k < K; k++) {
    const int q = kk[k];
    const float *br = bm + q * ldb;
    v4 bv[4];
    for (int j = 0; j < nv; j++) bv[j] = wasm_v128_load(br + 4 * j);
    for (int r = 0; r < rb; r++) {
      v4 av = wasm_v128_load32_splat(ar[r] + q);
      for (int j = 0; j < nv; j++)
        acc[r][j] = MADD(av, bv[j], acc[r][j]);
    }
  }
  for (int r = 0; r < rb; r++)
    for (int j = 0; j < nv; j++) wasm_v128_store(cr[r] + 4 * j, acc[r][j]);
}

// C[M, N] (+)= sum over k in kk[0..K) of A[:, k] B[k, :], N a multiple of 4;
// the blocks of gemm_acc, walking the listed inner indices in order.
static void gemm_acc_k(int M, int N, int K, const int *kk, const float *a,
                       int lda, const float *bm, int ldb, int accumulate,
                       float *c, int ldc) {
  int n = 0;
  for (; n + 16 <= N; n += 16) {
    int m = 0;
    for (; m + 2 <= M; m += 2)
      block_k(2, 4, K, kk, m, a, lda, bm + n, ldb, accumulate, c + n, ldc);
    for (; m < M; m++)
      block_k(1, 4, K, kk, m, a, lda, bm + n, ldb, accumulate, c + n, ldc);
  }
  for (; n + 4 <= N; n += 4) {
    int m = 0;
    for (; m + 4 <= M; m += 4)
      block_k(4, 1, K, kk, m, a, lda, bm + n, ldb, accumulate, c + n, ldc);
    for (; m < M; m++)
      block_k(1, 1, K, kk, m, a, lda, bm + n, ldb, accumulate, c + n, ldc);
  }
}

// C[M, N] = A[M, K] B[K, N] over the inner indices kk[0..nk) only (in
// increasing order): the product when the other rows of B are zero, such
// as the recurrent kernel's gradient H_prev^T dZ, whose rows at padded
// steps are. Each element of C takes the same multiply-adds in the same
// order as in matmul, minus those by zero rows, so the two agree exactly
// (up to the sign of an exact zero). K is cut into blocks of 256 indices.
__attribute__((export_name("matmul_k"))) void matmul_k(int M, int N, int K,
                                                        int nk, const int *kk,
                                                        const float *a,
                                                        const float *b,
                                                        float *c) {
  const int N4 = N & ~3;
  for (int k0 = 0; k0 < nk; k0 += 256) {
    const int kb = nk - k0 < 256 ? nk - k0 : 256;
    gemm_acc_k(M, N4, kb, kk + k0, a, K, b, N, k0 != 0, c, N);
  }
  for (int m = 0; m < M; m++)
    for (int n = N4; n < N; n++) {
      float s = 0.0f;
      for (int k = 0; k < nk; k++) s += a[m * K + kk[k]] * b[kk[k] * N + n];
      c[m * N + n] = s;
    }
  if (nk == 0)
    for (int m = 0; m < M; m++)
      for (int n = 0; n < N4; n++) c[m * N + n] = 0.0f;
}
