// The Goto/BLIS GEMM shared by the three kernel variants, included once by each after it defines
// its tile and blocks (MR, NR, KC, MC, NC), its vector type `vec` of VEC_WIDTH floats with the
// operations the micro-kernel uses (vec_zero, vec_load, vec_loadu, vec_storeu, vec_broadcast,
// vec_multiply_add, vec_add), lookup16 (see gemm-source.h) and GEMM_NAME; each is compiled with
// its own -m flags, so the packing loops are vectorized for the same instruction set.
//
// Loops: columns in NC-wide panels of op(B), depth in KC-deep slices (the panel KC x NC is packed
// once into NR-wide strips and stays in L2/L3), rows in MC-high blocks of op(A) (packed into
// MR-high slivers, kept in L2), then every NR strip (in L1) against every MR sliver: the
// micro-kernel holds the MR x NR tile of C in registers for the whole slice. Packing reads the
// stored layout (either transposed or not), so all four transpose combinations cost alike, and
// reads B through a gemm_source: a frozen bf16 or NF4 weight is dequantized into the packed panel
// as it is copied there (gemm-source.h), once per panel for all the rows of A.
//
// Sum order: every C[i][j] is summed over each KC slice in order of k in one accumulator (FMA
// where the variant has it), and the slices are added to C in order; the same wherever C[i][j]
// lies in its tile, block or part (padding lines are zeros), so any split of C into parts gives
// the same values.
#include <string.h>

#include "gemm-source.h"

#define NV (NR / VEC_WIDTH)

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

// Packs `lines` lines (rows of op(A), or columns of op(B)) over depth [0, depth) from `x`, line l at
// depth d being flattened element start + l * line_stride + d * depth_stride, into slivers of
// `width` lines, each depth x width (element (d, l) at d * width + l), zero past the last line.
// op(A) packs with width MR, op(B) with NR. One of the strides is 1 for every stored layout, so the
// source is read in runs (and a packed weight widened run by run, KC or `width` values at a time).
static inline void pack(const gemm_source *x, size_t start, size_t line_stride, size_t depth_stride, size_t lines, size_t depth,
                        size_t width, float *restrict packed) {
  float buffer[KC] __attribute__((aligned(64)));
  for (size_t s = 0; s < lines; s += width, packed += depth * width) {
    size_t valid = min_size(width, lines - s);
    size_t first = start + s * line_stride;
    if (line_stride == 1) {
      // The `valid` values of one depth are adjacent: widened straight into the sliver's row.
      for (size_t d = 0; d < depth; d++) {
        float *to = packed + d * width;
        const float *run = source_run(x, first + d * depth_stride, valid, to);
        if (run != to) memcpy(to, run, valid * sizeof(float));
        for (size_t l = valid; l < width; l++) to[l] = 0.0f;
      }
      continue;
    }
    // Each line is a run along the depth (depth_stride is 1): fill the sliver line by line.
    for (size_t l = 0; l < valid; l++) {
      const float *run = source_run(x, first + l * line_stride, depth, buffer);
      for (size_t d = 0; d < depth; d++) packed[d * width + l] = run[d];
    }
    for (size_t d = 0; d < depth; d++)
      for (size_t l = valid; l < width; l++) packed[d * width + l] = 0.0f;
  }
}

// c (MR rows of NR, rows ldc apart) = (accumulate ? c : 0) + sliver [kc, MR] · strip [kc, NR], in
// MR x NV vectors of VEC_WIDTH floats held in registers for the whole slice.
static inline void micro_kernel(size_t kc, const float *restrict a, const float *restrict b, float *c, size_t ldc, int accumulate) {
  vec acc[MR][NV];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = vec_zero();
  for (size_t k = 0; k < kc; k++, a += MR, b += NR) {
    vec bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = vec_load(b + v * VEC_WIDTH);
    for (int r = 0; r < MR; r++) {
      vec x = vec_broadcast(a + r);
      for (int v = 0; v < NV; v++) acc[r][v] = vec_multiply_add(x, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) {
      float *at = c + r * ldc + v * VEC_WIDTH;
      vec_storeu(at, accumulate ? vec_add(acc[r][v], vec_loadu(at)) : acc[r][v]);
    }
}

// A tile at the bottom or right edge, `height` x `width` of MR x NR: through a full tile in
// `edge`, then its valid part into C.
static void edge_tile(size_t kc, const float *sliver, const float *strip, float *tile, size_t ldc, int accumulate, size_t height,
                      size_t width) {
  float edge[MR * NR] __attribute__((aligned(64)));
  micro_kernel(kc, sliver, strip, edge, NR, 0);
  for (size_t r = 0; r < height; r++)
    for (size_t q = 0; q < width; q++) tile[r * ldc + q] = accumulate ? tile[r * ldc + q] + edge[r * NR + q] : edge[r * NR + q];
}

static void GEMM_NAME(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, const float *a, const gemm_source *b, float *c,
                      const gemm_part *part, float *scratch) {
  const gemm_source a_source = {SOURCE_F32, a, NULL, 0};
  size_t a_si = transpose_a ? 1 : k, a_sk = transpose_a ? m : 1;
  size_t b_sk = transpose_b ? 1 : n, b_sj = transpose_b ? k : 1;
  float *packed_a = scratch, *packed_b = scratch + MC * KC;
  if (k == 0)
    for (size_t i = part->row_begin; i < part->row_end; i++)
      memset(c + i * n + part->column_begin, 0, (part->column_end - part->column_begin) * sizeof(float));
  for (size_t j0 = part->column_begin; j0 < part->column_end; j0 += NC) {
    size_t nc = min_size(NC, part->column_end - j0);
    for (size_t k0 = 0; k0 < k; k0 += KC) {
      size_t kc = min_size(KC, k - k0);
      int accumulate = k0 > 0;
      pack(b, k0 * b_sk + j0 * b_sj, b_sj, b_sk, nc, kc, NR, packed_b);
      for (size_t i0 = part->row_begin; i0 < part->row_end; i0 += MC) {
        size_t mc = min_size(MC, part->row_end - i0);
        pack(&a_source, i0 * a_si + k0 * a_sk, a_si, a_sk, mc, kc, MR, packed_a);
        for (size_t js = 0; js < nc; js += NR) {
          size_t width = min_size(NR, nc - js);
          const float *strip = packed_b + js * kc;
          for (size_t is = 0; is < mc; is += MR) {
            size_t height = min_size(MR, mc - is);
            const float *sliver = packed_a + is * kc;
            float *tile = c + (i0 + is) * n + j0 + js;
            if (width == NR && height == MR)
              micro_kernel(kc, sliver, strip, tile, n, accumulate);
            else
              edge_tile(kc, sliver, strip, tile, n, accumulate, height, width);
          }
        }
      }
    }
  }
}
