// What the N-API binding (addon.c) needs to know of the three instruction-set variants of the
// blocked GEMM (kernel-avx512.c, kernel-avx2.c, kernel-sse2.c): each is compiled with its own
// -m flags and only called after the CPU said it has them, so this header uses no intrinsics.
#ifndef PEFTLAB_NATIVE_GEMM_H
#define PEFTLAB_NATIVE_GEMM_H

#include <stddef.h>

// The register tile and the cache blocks one variant is built with.
typedef struct {
  size_t mr, nr, kc, mc, nc;
} gemm_blocking;

// C [m, n] (row-major) = op(A) · op(B): A stored [m, k] ([k, m] when transpose_a), B stored
// [k, n] ([n, k] when transpose_b). `scratch` holds gemm_scratch_floats(blocking, m, n) floats,
// 64-byte aligned. C must not overlap A or B.
typedef void gemm_function(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, const float *a, const float *b, float *c,
                           float *scratch);

typedef struct {
  const char *name;
  gemm_blocking blocking;
  gemm_function *run;
} gemm_kernel;

extern const gemm_kernel gemm_avx512, gemm_avx2, gemm_sse2;

// Floats of packing space a product of m x n needs under `blocking`: one block of A, one panel of B.
size_t gemm_scratch_floats(const gemm_blocking *blocking, size_t m, size_t n);

#endif
