// Fused attention's AVX-512 variant (attention-source.h), built with -mavx512f -mfma: 16 keys per
// vector in the scores, partial head rows (head sizes not a multiple of 16) through lane masks.
// Blocks of 8 query rows, weighted sums 2 vectors wide (16 accumulators): of 4/4, 6/2, 8/2, 8/4
// and 12/2 rows/vectors, the fastest at head sizes 8, 64 and 128 on Zen 5.
#include <immintrin.h>

#include "vec-words.h"

typedef __m512 vec;
#define VEC_WIDTH 16
#define ROWS 8
#define DV 2
#define ATTENTION_KERNEL attention_avx512

static inline __mmask16 first_lanes(size_t lanes) { return (__mmask16)((1u << lanes) - 1); }
VEC_WORDS(_mm512)
// The first `lanes` floats at `at` (1 .. 15), the rest 0; masked lanes are not read.
static inline vec vec_load_part(const float *at, size_t lanes) { return _mm512_maskz_loadu_ps(first_lanes(lanes), at); }
static inline void vec_store_part(float *at, vec x, size_t lanes) { _mm512_mask_storeu_ps(at, first_lanes(lanes), x); }
static inline vec vec_fma(vec x, vec y, vec z) { return _mm512_fmadd_ps(x, y, z); }
// `value` where x >= bound (false for NaN), else 0.
static inline vec vec_keep_at_least(vec x, vec bound, vec value) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, bound, _CMP_GE_OQ), value); }
// −inf in the lanes from `lanes` (0 .. 16) on.
static inline vec vec_hide_from(vec x, size_t lanes) { return _mm512_mask_mov_ps(_mm512_set1_ps(-__builtin_inff()), first_lanes(lanes), x); }
// 2^n from n + 1.5 · 2^23 (n in the low mantissa bits): the exponent field n + 127.
static inline vec vec_pow2(vec shifted) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(127)), 23)); }
static inline float vec_sum(vec x) { return _mm512_reduce_add_ps(x); }
static inline float vec_max_lane(vec x) { return _mm512_reduce_max_ps(x); }

#include "attention-source.h"
