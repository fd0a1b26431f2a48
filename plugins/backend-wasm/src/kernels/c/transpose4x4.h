// A 4 x 4 float transpose with WebAssembly SIMD128, shared by the plugin's C kernels (gemm.c,
// packed-matmul.c) where they pack a run along k of four rows into a strip of columns.
#ifndef PEFTLAB_TRANSPOSE4X4_H
#define PEFTLAB_TRANSPOSE4X4_H
#include <stdint.h>
#include <wasm_simd128.h>

// Reads four rows of four floats at `from`, `stride` floats apart, and writes their transpose as
// four rows at `to`, `to_stride` floats apart: to[q * to_stride + r] = from[r * stride + q].
static inline void transpose4x4(const float *from, uint32_t stride, float *to, uint32_t to_stride) {
  v128_t r0 = wasm_v128_load(from), r1 = wasm_v128_load(from + stride);
  v128_t r2 = wasm_v128_load(from + 2 * stride), r3 = wasm_v128_load(from + 3 * stride);
  v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
  v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(to, wasm_i64x2_shuffle(t0, t1, 0, 2));
  wasm_v128_store(to + to_stride, wasm_i64x2_shuffle(t0, t1, 1, 3));
  wasm_v128_store(to + 2 * to_stride, wasm_i64x2_shuffle(t2, t3, 0, 2));
  wasm_v128_store(to + 3 * to_stride, wasm_i64x2_shuffle(t2, t3, 1, 3));
}
#endif
