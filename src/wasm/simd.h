// Shared definitions of the kernel module's parts (see kernels.c): the
// SIMD vector type, fused multiply-add, and 64-byte alignment of scratch.
#pragma once

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
