// e^x on four lanes, shared by the heap kernels that need it (swiglu/, flash-attention/,
// cross-entropy/): the modules have no libc. Cephes' expf in f32x4: round x·log2(e) to the nearest
// integer n with a magic-number add, a degree-6 polynomial on the remainder, within about 2 ulp.
// Registers only.
#ifndef EXP_F32X4_H
#define EXP_F32X4_H
#include <wasm_simd128.h>

// e^x for x clamped to [-87, 88], where 2^n stays a normal float.
static inline v128_t exp_f32x4(v128_t x) {
  x = wasm_f32x4_pmax(wasm_f32x4_pmin(x, wasm_f32x4_splat(88.0f)), wasm_f32x4_splat(-87.0f));
  // Adding 1.5 · 2^23 rounds x·log2(e) to the nearest integer n, which lands in the low mantissa bits.
  v128_t magic = wasm_f32x4_splat(12582912.0f);
  v128_t shifted = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)), magic);
  v128_t n = wasm_f32x4_sub(shifted, magic);
  // x − n·ln2, with ln2 split in two so that n·ln2_hi is exact.
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.0f));
  // 2^n: the exponent field n + 127; the magic number's own bits shift out past bit 31.
  v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(shifted, wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}
#endif
