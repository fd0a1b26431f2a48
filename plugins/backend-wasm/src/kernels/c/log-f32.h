// Natural log of one float, shared by the heap kernels that turn a softmax sum into a log-sum-exp
// (flash-attention/, cross-entropy/): the modules have no libc. Registers only.
#ifndef LOG_F32_H
#define LOG_F32_H
#include <stdint.h>
#include <wasm_simd128.h>

// log x for x >= 1 (a softmax sum), as 2 atanh((m − 1) / (m + 1)) + e ln 2, x = m 2^e.
static float log_scalar(float x) {
  int32_t bits = wasm_i32x4_extract_lane(wasm_f32x4_splat(x), 0);
  int32_t e = ((bits >> 23) & 255) - 127;
  float m = wasm_f32x4_extract_lane(wasm_i32x4_splat((bits & 0x7fffff) | 0x3f800000), 0);
  if (m > 1.41421356f) m *= 0.5f, e += 1;
  double f = m - 1.0, s = f / (2.0 + f), s2 = s * s;
  double atanh = s * (1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 / 11)))));
  return (float)(e * 0.6931471805599453 + 2.0 * atanh);
}
#endif
