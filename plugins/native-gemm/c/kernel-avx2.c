// The AVX2 variant (x86-64 with AVX2 and FMA: Haswell, Zen 1 and later), built with -mavx2
// -mfma: a 6 x 16 tile of C in 12 ymm accumulators, two 8-float loads of the B strip and six
// broadcasts of the A sliver per k (15 of the 16 ymm registers), 12 FMAs per k.
#include <immintrin.h>
#include <stdint.h>

#define MR 6
#define NR 16
#define KC 256
#define MC 144
#define NC 4096

typedef __m256 vec;
#define VEC_WIDTH 8
static inline vec vec_zero(void) { return _mm256_setzero_ps(); }
static inline vec vec_load(const float *at) { return _mm256_load_ps(at); }
static inline vec vec_loadu(const float *at) { return _mm256_loadu_ps(at); }
static inline void vec_storeu(float *at, vec x) { _mm256_storeu_ps(at, x); }
static inline vec vec_broadcast(const float *at) { return _mm256_broadcast_ss(at); }
static inline vec vec_multiply_add(vec x, vec y, vec acc) { return _mm256_fmadd_ps(x, y, acc); }
static inline vec vec_add(vec x, vec y) { return _mm256_add_ps(x, y); }

// 16 NF4 codes (8 bytes, even element in the high nibble) looked up in a block's 16 scaled levels:
// the nibbles interleaved into 16 indices, each half of the table permuted by their low three bits
// and the halves blended on bit 3.
static inline void lookup16(const float *table, const uint8_t *codes, float *out) {
  __m128i bytes = _mm_loadl_epi64((const __m128i *)codes), nibble = _mm_set1_epi8(15);
  __m128i ordered = _mm_unpacklo_epi8(_mm_and_si128(_mm_srli_epi16(bytes, 4), nibble), _mm_and_si128(bytes, nibble));
  __m256 lower = _mm256_loadu_ps(table), upper = _mm256_loadu_ps(table + 8);
  for (int half = 0; half < 2; half++) {
    __m256i index = _mm256_cvtepu8_epi32(half ? _mm_srli_si128(ordered, 8) : ordered);
    __m256 upper_half = _mm256_castsi256_ps(_mm256_slli_epi32(index, 28));
    _mm256_storeu_ps(out + 8 * half, _mm256_blendv_ps(_mm256_permutevar8x32_ps(lower, index), _mm256_permutevar8x32_ps(upper, index), upper_half));
  }
}

#define GEMM_NAME run_avx2
#include "blocked-gemm.h"

const gemm_kernel gemm_avx2 = {"avx2", {MR, NR, KC, MC, NC}, run_avx2};
