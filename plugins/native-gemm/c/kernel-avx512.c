// The AVX-512 variant (x86-64 with AVX512F, e.g. Zen 4/5, Skylake-X and later), built with
// -mavx512f -mfma: a 12 x 32 tile of C in 24 zmm accumulators (BLIS's Skylake-X sgemm tile,
// 32 x 12 column-major, seen row-major), fed per k by two 16-float loads of the B strip and 12
// broadcasts of the A sliver, 24 FMAs per k: enough independent chains to keep both FMA pipes
// busy through their latency. 6, 8, 12 and 14 rows all measured within noise of each other here
// (175-215 GFLOP/s, KC 192-384); KC = 256 keeps the 32 KB B strip in the 48 KB L1d and the
// 192 x 256 block of A (192 KB) in the 1 MB L2.
#include <immintrin.h>
#include <stdint.h>

#define MR 12
#define NR 32
#define KC 256
#define MC 192
#define NC 4096

typedef __m512 vec;
#define VEC_WIDTH 16
static inline vec vec_zero(void) { return _mm512_setzero_ps(); }
static inline vec vec_load(const float *at) { return _mm512_load_ps(at); }
static inline vec vec_loadu(const float *at) { return _mm512_loadu_ps(at); }
static inline void vec_storeu(float *at, vec x) { _mm512_storeu_ps(at, x); }
static inline vec vec_broadcast(const float *at) { return _mm512_set1_ps(*at); }
static inline vec vec_multiply_add(vec x, vec y, vec acc) { return _mm512_fmadd_ps(x, y, acc); }
static inline vec vec_add(vec x, vec y) { return _mm512_add_ps(x, y); }

// 16 NF4 codes (8 bytes, even element in the high nibble) looked up in a block's 16 scaled levels:
// the nibbles interleaved into 16 indices, one permute across the table held in a zmm register.
static inline void lookup16(const float *table, const uint8_t *codes, float *out) {
  __m128i bytes = _mm_loadl_epi64((const __m128i *)codes), nibble = _mm_set1_epi8(15);
  __m128i ordered = _mm_unpacklo_epi8(_mm_and_si128(_mm_srli_epi16(bytes, 4), nibble), _mm_and_si128(bytes, nibble));
  _mm512_storeu_ps(out, _mm512_permutexvar_ps(_mm512_cvtepu8_epi32(ordered), _mm512_loadu_ps(table)));
}

#define GEMM_NAME run_avx512
#include "blocked-gemm.h"

const gemm_kernel gemm_avx512 = {"avx512", {MR, NR, KC, MC, NC}, run_avx512};
