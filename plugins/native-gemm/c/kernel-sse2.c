// The portable variant: SSE2, which every x86-64 CPU has, so the one binary runs anywhere. A
// 4 x 8 tile of C in eight xmm accumulators, multiply then add (SSE2 has no FMA).
#include <emmintrin.h>
#include <stdint.h>

#define MR 4
#define NR 8
#define KC 256
#define MC 128
#define NC 4096

typedef __m128 vec;
#define VEC_WIDTH 4
static inline vec vec_zero(void) { return _mm_setzero_ps(); }
static inline vec vec_load(const float *at) { return _mm_load_ps(at); }
static inline vec vec_loadu(const float *at) { return _mm_loadu_ps(at); }
static inline void vec_storeu(float *at, vec x) { _mm_storeu_ps(at, x); }
static inline vec vec_broadcast(const float *at) { return _mm_set1_ps(*at); }
// SSE2 has no FMA: multiply, then add.
static inline vec vec_multiply_add(vec x, vec y, vec acc) { return _mm_add_ps(acc, _mm_mul_ps(x, y)); }
static inline vec vec_add(vec x, vec y) { return _mm_add_ps(x, y); }

// 16 NF4 codes (8 bytes, even element in the high nibble) looked up in a block's 16 scaled levels,
// one at a time (SSE2 has no variable permute).
static inline void lookup16(const float *table, const uint8_t *codes, float *out) {
  for (int i = 0; i < 8; i++) {
    out[2 * i] = table[codes[i] >> 4];
    out[2 * i + 1] = table[codes[i] & 15];
  }
}

#define GEMM_NAME run_sse2
#include "blocked-gemm.h"

const gemm_kernel gemm_sse2 = {"sse2", {MR, NR, KC, MC, NC}, run_sse2};
