// The AVX2 variant (x86-64 with AVX2 and FMA: Haswell, Zen 1 and later), built with -mavx2
// -mfma: a 6 x 16 tile of C in 12 ymm accumulators, two 8-float loads of the B strip and six
// broadcasts of the A sliver per k (15 of the 16 ymm registers), 12 FMAs per k.
#include <immintrin.h>

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

#define GEMM_NAME run_avx2
#include "blocked-gemm.h"

const gemm_kernel gemm_avx2 = {"avx2", {MR, NR, KC, MC, NC}, run_avx2};
