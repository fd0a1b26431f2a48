// The AVX-512 variant (x86-64 with AVX512F, e.g. Zen 4/5, Skylake-X and later), built with
// -mavx512f -mfma: a 12 x 32 tile of C in 24 zmm accumulators (BLIS's Skylake-X sgemm tile,
// 32 x 12 column-major, seen row-major), fed per k by two 16-float loads of the B strip and 12
// broadcasts of the A sliver, 24 FMAs per k: enough independent chains to keep both FMA pipes
// busy through their latency. 6, 8, 12 and 14 rows all measured within noise of each other here
// (175-215 GFLOP/s, KC 192-384); KC = 256 keeps the 32 KB B strip in the 48 KB L1d and the
// 192 x 256 block of A (192 KB) in the 1 MB L2.
#include <immintrin.h>

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

#define GEMM_NAME run_avx512
#include "blocked-gemm.h"

const gemm_kernel gemm_avx512 = {"avx512", {MR, NR, KC, MC, NC}, run_avx512};
