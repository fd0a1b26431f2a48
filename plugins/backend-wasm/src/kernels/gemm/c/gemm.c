// Float32 GEMM for tfjs's wasm backend, faster per thread than the XNNPACK build tfjs-wasm 4.22
// ships: C[M, N] = op(A) · op(B), op a transpose or not, in each of the four combinations tfjs's
// BatchMatMul asks for, read straight from the stored layout while packing (no transpose pass).
// WebAssembly SIMD128, single thread, no libc: the module exports its memory and the caller lays
// out every buffer in it (see ../gemm-module.ts).
//
// Blocking (Goto/BLIS) for a core with a 48 KB L1d and a 1 MB L2: a KC x NC panel of B (256 x 512
// floats, 512 KB) is packed once and stays in L2 while every MC x KC block of A (72 x 256, 72 KB)
// is packed and swept past it; one KC x NR strip of B (8 KB) and one MR x KC sliver of A (4 KB)
// feed the register micro-kernel from L1. The micro-kernel holds an MR x NR = 4 x 8 tile of C in
// eight f32x4 accumulators: with two B vectors and the broadcast A values V8 keeps them all in
// x86's 16 vector registers, where 6 x 8, 5 x 8, 4 x 12 and 3 x 16 tiles spilled accumulators to
// the stack and ran at half the speed.
//
// Sum order: every C[i][j] is summed over k in order, k = 0, 1, ..., K - 1, in one accumulator
// (the accumulators start from C when a later KC panel continues the sum), each term an f32x4 mul
// then add: the order and roundings of XNNPACK's wasm SIMD GEMM, so the products equal tfjs-wasm's.
// No relaxed-SIMD FMA: built with clang 19 (which encodes it as V8 accepts) it measured no faster
// on this 4 x 8 tile, and it would give up that equality.
#include <stdint.h>
#include <wasm_simd128.h>

#include "../../c/transpose4x4.h"

#define MR 4
#define NR 8
#define NV (NR / 4)
#ifndef KC
#define KC 256
#endif
#ifndef MC
#define MC 72
#endif
#ifndef NC
#define NC 512
#endif

static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

// A block of op(A): rows [i0, i0 + mc), depth [k0, k0 + kc), as slivers of MR rows, each kc x MR
// (element (k, r) at k * MR + r), zero past the last row. op(A)[i][k] is
// a[i * stride_i + k * stride_k].
static void pack_a(const float *a, uint32_t stride_i, uint32_t stride_k, uint32_t i0, uint32_t mc, uint32_t k0, uint32_t kc, float *packed) {
  for (uint32_t s = 0; s < mc; s += MR, packed += kc * MR) {
    uint32_t rows = min_u32(MR, mc - s);
    const float *from = a + (i0 + s) * stride_i + k0 * stride_k;
    if (stride_i == 1 && rows == MR) {
      // Stored transposed: the MR (= 4) values of one k are adjacent.
      for (uint32_t k = 0; k < kc; k++, from += stride_k) wasm_v128_store(packed + k * MR, wasm_v128_load(from));
      continue;
    }
    for (uint32_t r = 0; r < MR; r++) {
      if (r < rows) {
        const float *row = from + r * stride_i;
        for (uint32_t k = 0; k < kc; k++) packed[k * MR + r] = row[k * stride_k];
      } else {
        for (uint32_t k = 0; k < kc; k++) packed[k * MR + r] = 0.0f;
      }
    }
  }
}

// A panel of op(B): depth [k0, k0 + kc), columns [j0, j0 + nc), as strips of NR columns, each
// kc x NR (element (k, c) at k * NR + c), zero past the last column. op(B)[k][j] is
// b[k * stride_k + j * stride_j].
static void pack_b(const float *b, uint32_t stride_k, uint32_t stride_j, uint32_t k0, uint32_t kc, uint32_t j0, uint32_t nc, float *packed) {
  for (uint32_t s = 0; s < nc; s += NR, packed += kc * NR) {
    uint32_t cols = min_u32(NR, nc - s);
    const float *from = b + k0 * stride_k + (j0 + s) * stride_j;
    if (stride_j == 1 && cols == NR) {
      for (uint32_t k = 0; k < kc; k++, from += stride_k) {
        for (uint32_t v = 0; v < NV; v++) wasm_v128_store(packed + k * NR + 4 * v, wasm_v128_load(from + 4 * v));
      }
      continue;
    }
    if (stride_k == 1 && cols == NR) {
      // Stored transposed (B [N, K]): NR runs along k, transposed 4 x 4 into the strip.
      uint32_t k = 0;
      for (; k + 4 <= kc; k += 4) {
        for (uint32_t c = 0; c < NR; c += 4) transpose4x4(from + c * stride_j + k, stride_j, packed + k * NR + c, NR);
      }
      for (; k < kc; k++)
        for (uint32_t c = 0; c < NR; c++) packed[k * NR + c] = from[c * stride_j + k];
      continue;
    }
    for (uint32_t k = 0; k < kc; k++)
      for (uint32_t c = 0; c < NR; c++) packed[k * NR + c] = c < cols ? from[k * stride_k + c * stride_j] : 0.0f;
  }
}

// c (MR rows of NR, rows ldc apart) = (accumulate ? c : 0) + sliver [kc, MR] · strip [kc, NR],
// each sum in order of k.
static void micro_kernel(uint32_t kc, const float *restrict a, const float *restrict b, float *c, uint32_t ldc, int accumulate) {
  v128_t acc[MR][NV];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = accumulate ? wasm_v128_load(c + r * ldc + 4 * v) : wasm_f32x4_splat(0.0f);
  for (uint32_t k = 0; k < kc; k++, a += MR, b += NR) {
    v128_t bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = wasm_v128_load(b + 4 * v);
    for (int r = 0; r < MR; r++) {
      v128_t x = wasm_v128_load32_splat(a + r);
      for (int v = 0; v < NV; v++) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(x, bv[v]));
    }
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) wasm_v128_store(c + r * ldc + 4 * v, acc[r][v]);
}

// Floats of scratch space gemm needs: one packed block of A and one packed panel of B.
__attribute__((export_name("gemm_scratch_floats"))) uint32_t gemm_scratch_floats(void) { return MC * KC + KC * NC; }

// C [m, n] (row-major) = op(A) · op(B): A stored [m, k] ([k, m] when transpose_a), B stored
// [k, n] ([n, k] when transpose_b). All pointers are into this module's memory; `scratch` holds
// gemm_scratch_floats() floats, 16-byte aligned.
__attribute__((export_name("gemm"))) void gemm(int transpose_a, int transpose_b, uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c, float *scratch) {
  uint32_t a_stride_i = transpose_a ? 1 : k, a_stride_k = transpose_a ? m : 1;
  uint32_t b_stride_k = transpose_b ? 1 : n, b_stride_j = transpose_b ? k : 1;
  float *packed_a = scratch, *packed_b = scratch + MC * KC;
  float edge[MR * NR] __attribute__((aligned(16)));
  if (k == 0)
    for (uint32_t i = 0; i < m * n; i++) c[i] = 0.0f;
  for (uint32_t j0 = 0; j0 < n; j0 += NC) {
    uint32_t nc = min_u32(NC, n - j0);
    for (uint32_t k0 = 0; k0 < k; k0 += KC) {
      uint32_t kc = min_u32(KC, k - k0);
      int accumulate = k0 > 0;
      pack_b(b, b_stride_k, b_stride_j, k0, kc, j0, nc, packed_b);
      for (uint32_t i0 = 0; i0 < m; i0 += MC) {
        uint32_t mc = min_u32(MC, m - i0);
        pack_a(a, a_stride_i, a_stride_k, i0, mc, k0, kc, packed_a);
        for (uint32_t js = 0; js < nc; js += NR) {
          uint32_t width = min_u32(NR, nc - js);
          const float *strip = packed_b + js * kc;
          for (uint32_t is = 0; is < mc; is += MR) {
            uint32_t height = min_u32(MR, mc - is);
            const float *sliver = packed_a + is * kc;
            float *tile = c + (i0 + is) * n + j0 + js;
            if (width == NR && height == MR) {
              micro_kernel(kc, sliver, strip, tile, n, accumulate);
              continue;
            }
            // A partial tile at the bottom or right edge: through a full one, then its valid part.
            for (uint32_t r = 0; r < height; r++)
              for (uint32_t q = 0; q < width; q++) edge[r * NR + q] = accumulate ? tile[r * n + q] : 0.0f;
            micro_kernel(kc, sliver, strip, edge, NR, accumulate);
            for (uint32_t r = 0; r < height; r++)
              for (uint32_t q = 0; q < width; q++) tile[r * n + q] = edge[r * NR + q];
          }
        }
      }
    }
  }
}
