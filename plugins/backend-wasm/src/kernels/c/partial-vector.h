// Loads and stores of the last 1 to 3 floats of a row as one f32x4, so a SIMD loop's tail runs the
// same vector code as its body. Registers only (no local array): the modules that import tfjs's
// memory must never touch the shadow stack, which would sit in tfjs's heap (see build.sh).
#ifndef PARTIAL_VECTOR_H
#define PARTIAL_VECTOR_H
#include <stdint.h>
#include <wasm_simd128.h>

// p[0..count), count in 1..3, in the low lanes; the other lanes are 0.
static inline v128_t load_partial(const float *p, uint32_t count) {
  v128_t v = wasm_f32x4_splat(0.0f);
  v = wasm_f32x4_replace_lane(v, 0, p[0]);
  if (count > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (count > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}

// The low `count` lanes of v (count in 1..3) to p[0..count).
static inline void store_partial(float *p, v128_t v, uint32_t count) {
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (count > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (count > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

// The sum of v's four lanes.
static inline float lane_sum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}
#endif
