// The project's WebAssembly SIMD128 module: the LSTM recurrence kernels, a
// GEMM, a segment sum, masked max pooling, an Adam step, and an FMA-bound
// loop for the bench's measured peak.
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
//
// This file is the module's one translation unit: it includes its parts in
// order, so clang sees one file as before the split (static helpers such as
// gemm_acc_p are inlined and specialised alike, and the binary is
// byte-identical to the single-file build). tasks/build_kernel.ts compiles
// this file alone; the parts are not compiled on their own.

#include "simd.h"         // vector type, MADD, ALIGN64
#include "activations.h"  // sigmoid4, tanh4 and their constants
#include "gemm.c"         // gemm_acc_p, pack_panels (used below), matmul, matmul_plain, matmul_k
#include "segment_sum.c"  // segment_sum
#include "masked_max.c"   // masked_max, masked_max_grad
#include "lstm_forward.c" // lstm_forward
#include "lstm_backward.c" // transpose, shift_transpose, lstm_backward
#include "adam.c"         // adam_update
#include "peak.c"         // peak_madd (the bench's SIMD peak)
