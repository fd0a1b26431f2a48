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

// How the B operand's values are stored: float32, or a frozen weight kept packed (bf16 bits, or
// NF4 codes with per-block scales) and widened while its panels are packed.
typedef enum { SOURCE_F32, SOURCE_BF16, SOURCE_NF4 } source_format;

// A row-major matrix seen as its flattened elements: `data` holds float32 values, bf16 values
// (little-endian uint16, any alignment), or NF4 codes two per byte (element i in byte i / 2, the
// high nibble when i is even: bitsandbytes' order) with `absmax` holding one float32 scale per
// block of `block_size` flattened elements (blocks run along the flattened matrix, the last may be
// shorter). An NF4 element is nf4_levels[code] * absmax[i / block_size], rounded once to float32.
typedef struct {
  source_format format;
  const void *data;
  const float *absmax;
  size_t block_size;
} gemm_source;

// The block of C one call computes: rows [row_begin, row_end), columns [column_begin, column_end).
// Every element is summed the same way whatever block it is computed in (see blocked-gemm.h), so
// threads that split C into blocks (parallel-gemm.c) write what one thread writes, bit for bit.
typedef struct {
  size_t row_begin, row_end, column_begin, column_end;
} gemm_part;

// `part` of C [m, n] (row-major) = op(A) · op(B): A stored [m, k] ([k, m] when transpose_a), B
// stored [k, n] ([n, k] when transpose_b) in any source format. `scratch` holds
// gemm_scratch_floats(blocking, part's columns) floats, 64-byte aligned. C must not overlap A or B.
typedef void gemm_function(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, const float *a, const gemm_source *b, float *c,
                           const gemm_part *part, float *scratch);

typedef struct {
  const char *name;
  gemm_blocking blocking;
  gemm_function *run;
} gemm_kernel;

extern const gemm_kernel gemm_avx512, gemm_avx2, gemm_sse2;

// Floats of packing space a part `columns` wide needs under `blocking`: one block of A, one panel of B.
size_t gemm_scratch_floats(const gemm_blocking *blocking, size_t columns);

#endif
