// Fused attention's AVX2 variant (attention-source.h), built with -mavx2 -mfma: 8 keys per vector
// in the scores, partial head rows through masked loads and stores.
#include <immintrin.h>

#include "vec-words.h"

typedef __m256 vec;
#define VEC_WIDTH 8
#define ROWS 4
#define DV 2
#define ATTENTION_KERNEL attention_avx2

// All ones in the lanes below `lanes` (0 .. 8).
static inline __m256i first_lanes(size_t lanes) { return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
VEC_WORDS(_mm256)
// The first `lanes` floats at `at` (1 .. 7), the rest 0; masked lanes are not read.
static inline vec vec_load_part(const float *at, size_t lanes) { return _mm256_maskload_ps(at, first_lanes(lanes)); }
static inline void vec_store_part(float *at, vec x, size_t lanes) { _mm256_maskstore_ps(at, first_lanes(lanes), x); }
static inline vec vec_fma(vec x, vec y, vec z) { return _mm256_fmadd_ps(x, y, z); }
// `value` where x >= bound (false for NaN), else 0.
static inline vec vec_keep_at_least(vec x, vec bound, vec value) { return _mm256_and_ps(_mm256_cmp_ps(x, bound, _CMP_GE_OQ), value); }
// −inf in the lanes from `lanes` (0 .. 8) on.
static inline vec vec_hide_from(vec x, size_t lanes) { return _mm256_blendv_ps(_mm256_set1_ps(-__builtin_inff()), x, _mm256_castsi256_ps(first_lanes(lanes))); }
// 2^n from n + 1.5 · 2^23 (n in the low mantissa bits): the exponent field n + 127.
static inline vec vec_pow2(vec shifted) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(127)), 23)); }
static inline float vec_sum(vec x) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
static inline float vec_max_lane(vec x) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}

#include "attention-source.h"
