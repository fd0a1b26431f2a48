// Fused attention's portable variant (attention-source.h): SSE2, which every x86-64 CPU has, so
// the one binary runs it anywhere. 4 keys per vector in the scores, multiply then add (no FMA),
// partial head rows copied through a small buffer (SSE2 has no masked loads).
#include <emmintrin.h>
#include <string.h>

#include "vec-words.h"

typedef __m128 vec;
#define VEC_WIDTH 4
#define ROWS 4
#define DV 2
#define ATTENTION_KERNEL attention_sse2

// All ones in the lanes below `lanes` (0 .. 4).
static inline __m128 first_lanes(size_t lanes) { return _mm_castsi128_ps(_mm_cmplt_epi32(_mm_setr_epi32(0, 1, 2, 3), _mm_set1_epi32((int)lanes))); }
VEC_WORDS(_mm)
// The first `lanes` floats at `at` (1 .. 3), the rest 0; only those are read.
static inline vec vec_load_part(const float *at, size_t lanes) {
  float buffer[VEC_WIDTH] = {0.0f};
  memcpy(buffer, at, lanes * sizeof(float));
  return _mm_loadu_ps(buffer);
}
static inline void vec_store_part(float *at, vec x, size_t lanes) {
  float buffer[VEC_WIDTH];
  _mm_storeu_ps(buffer, x);
  memcpy(at, buffer, lanes * sizeof(float));
}
// SSE2 has no FMA: multiply, then add.
static inline vec vec_fma(vec x, vec y, vec z) { return _mm_add_ps(_mm_mul_ps(x, y), z); }
// `value` where x >= bound (false for NaN), else 0.
static inline vec vec_keep_at_least(vec x, vec bound, vec value) { return _mm_and_ps(_mm_cmpge_ps(x, bound), value); }
// −inf in the lanes from `lanes` (0 .. 4) on.
static inline vec vec_hide_from(vec x, size_t lanes) {
  __m128 keep = first_lanes(lanes);
  return _mm_or_ps(_mm_and_ps(keep, x), _mm_andnot_ps(keep, _mm_set1_ps(-__builtin_inff())));
}
// 2^n from n + 1.5 · 2^23 (n in the low mantissa bits): the exponent field n + 127.
static inline vec vec_pow2(vec shifted) { return _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(_mm_castps_si128(shifted), _mm_set1_epi32(127)), 23)); }
static inline float vec_sum(vec x) {
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_add_ss(x, _mm_shuffle_ps(x, x, 1)));
}
static inline float vec_max_lane(vec x) {
  x = _mm_max_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_max_ss(x, _mm_shuffle_ps(x, x, 1)));
}

#include "attention-source.h"
