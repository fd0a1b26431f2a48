// Matmul against a frozen weight kept packed (NF4 codes with per-block absmax, or bf16 bits), for
// tfjs's wasm backend: the weight is dequantized inside the kernel, one panel at a time into a
// small float32 buffer that every row of x reuses, instead of being widened whole to float32 and
// handed to XNNPACK per call. WebAssembly SIMD128, single thread, no libc: the module exports its
// memory and the caller lays out every buffer in it (see ../packed-matmul-module.ts).
//
//   transpose_w = 1:  C[M, R] = A[M, S] · Wᵀ     (nn.Linear's forward, W [R, S] = [out, in])
//   transpose_w = 0:  C[M, S] = A[M, R] · W      (its input gradient dx = dy · W)
//
// W [R, S] is row-major; NF4 blocks of block_size run along the flattened W (any block size, any
// S), codes two per byte, the even element in the high nibble (bitsandbytes' order). Sixteen codes
// at a time are looked up in the block's 16 values with i8x16.swizzle; bf16 widens by a shift.
//
// Plain f32x4 mul + add: Debian's clang 14 emits relaxed-SIMD FMA with pre-standard opcodes that
// Node 22's V8 refuses ("invalid simd opcode"), so there is no FMA here. Each dot product is
// summed in order of k, as XNNPACK's wasm SIMD GEMM sums it, so the products equal those of the
// widened weight on tfjs-wasm bit for bit.
#include <stdint.h>
#include <wasm_simd128.h>

#include "../../c/transpose4x4.h"

#define MR 4
#define NR 8
// Depth and width of one dequantized panel: KC x NC floats (256 KB) stay in L2 while all M rows
// of x stream past it; one KC x NR strip (8 KB) stays in L1 for the micro-kernel.
#ifndef KC
#define KC 256
#endif
#ifndef NC
#define NC 256
#endif

#define FORMAT_NF4 0
#define FORMAT_BF16 1

// bitsandbytes' NF4 levels as float32, the table @peftlab/models dequantizes with.
static const float nf4_levels[16] __attribute__((aligned(16))) = {
    -1.0f,
    -0.6961928009986877f,
    -0.5250730514526367f,
    -0.39491748809814453f,
    -0.28444138169288635f,
    -0.18477343022823334f,
    -0.09105003625154495f,
    0.0f,
    0.07958029955625534f,
    0.16093020141124725f,
    0.24611230194568634f,
    0.33791524171829224f,
    0.44070982933044434f,
    0.5626170039176941f,
    0.7229568362236023f,
    1.0f,
};

typedef struct {
  int format;
  const uint8_t *bytes;  // NF4 codes, or bf16 values as little-endian uint16
  const float *absmax;   // NF4 only
  uint32_t block_size;   // NF4 only
} weight_t;

// The 16 NF4 values of a block (level * absmax, each rounded once to float32 as the JS dequantizer
// rounds it) as four byte planes: plane b holds byte b of each value, so that i8x16.swizzle looks
// up 16 codes at once in each plane.
typedef struct {
  v128_t p0, p1, p2, p3;
} planes_t;

static planes_t block_planes(float scale) {
  v128_t s = wasm_f32x4_splat(scale);
  v128_t l0 = wasm_f32x4_mul(wasm_v128_load(nf4_levels), s), l1 = wasm_f32x4_mul(wasm_v128_load(nf4_levels + 4), s);
  v128_t l2 = wasm_f32x4_mul(wasm_v128_load(nf4_levels + 8), s), l3 = wasm_f32x4_mul(wasm_v128_load(nf4_levels + 12), s);
#define PLANE(B)                                                                                                  \
  wasm_i64x2_shuffle(wasm_i8x16_shuffle(l0, l1, B, 4 + B, 8 + B, 12 + B, 16 + B, 20 + B, 24 + B, 28 + B, 0, 0, 0, 0, 0, 0, 0, 0), \
                     wasm_i8x16_shuffle(l2, l3, B, 4 + B, 8 + B, 12 + B, 16 + B, 20 + B, 24 + B, 28 + B, 0, 0, 0, 0, 0, 0, 0, 0), 0, 2)
  planes_t planes = {PLANE(0), PLANE(1), PLANE(2), PLANE(3)};
#undef PLANE
  return planes;
}

// 16 values from 8 code bytes (element order: high nibble first), written to out[0..15].
static void dequantize16(const planes_t *planes, const uint8_t *codes, float *out) {
  v128_t bytes = wasm_v128_load64_zero(codes);
  v128_t high = wasm_u8x16_shr(bytes, 4), low = wasm_v128_and(bytes, wasm_i8x16_splat(15));
  v128_t index = wasm_i8x16_shuffle(high, low, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t b0 = wasm_i8x16_swizzle(planes->p0, index), b1 = wasm_i8x16_swizzle(planes->p1, index);
  v128_t b2 = wasm_i8x16_swizzle(planes->p2, index), b3 = wasm_i8x16_swizzle(planes->p3, index);
  // Bytes back into floats: (b0, b1) and (b2, b3) into 16-bit halves, then the halves into words.
  v128_t h01lo = wasm_i8x16_shuffle(b0, b1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t h01hi = wasm_i8x16_shuffle(b0, b1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128_t h23lo = wasm_i8x16_shuffle(b2, b3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t h23hi = wasm_i8x16_shuffle(b2, b3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  wasm_v128_store(out, wasm_i16x8_shuffle(h01lo, h23lo, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(out + 4, wasm_i16x8_shuffle(h01lo, h23lo, 4, 12, 5, 13, 6, 14, 7, 15));
  wasm_v128_store(out + 8, wasm_i16x8_shuffle(h01hi, h23hi, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(out + 12, wasm_i16x8_shuffle(h01hi, h23hi, 4, 12, 5, 13, 6, 14, 7, 15));
}

// Flattened W values [from, from + count) as float32, written to out[0 .. count).
static void dequantize(const weight_t *w, uint32_t from, uint32_t count, float *out) {
  if (w->format == FORMAT_BF16) {
    const uint16_t *halves = (const uint16_t *)w->bytes + from;
    uint32_t i = 0;
    for (; i + 8 <= count; i += 8) {
      v128_t h = wasm_v128_load(halves + i);
      wasm_v128_store(out + i, wasm_i32x4_shl(wasm_u32x4_extend_low_u16x8(h), 16));
      wasm_v128_store(out + i + 4, wasm_i32x4_shl(wasm_u32x4_extend_high_u16x8(h), 16));
    }
    uint32_t *words = (uint32_t *)out;
    for (; i < count; i++) words[i] = (uint32_t)halves[i] << 16;
    return;
  }
  const uint8_t *codes = w->bytes;
  while (count > 0) {
    uint32_t block = from / w->block_size;
    uint32_t left = (block + 1) * w->block_size - from;
    uint32_t n = left < count ? left : count;
    count -= n;
    float scale = w->absmax[block];
    uint32_t i = from;
    from += n;
    if (i & 1) {
      *out++ = nf4_levels[codes[i >> 1] & 15] * scale;
      i++;
      n--;
    }
    if (n >= 16) {
      planes_t planes = block_planes(scale);
      for (; n >= 16; n -= 16, i += 16, out += 16) dequantize16(&planes, codes + (i >> 1), out);
    }
    for (; n >= 2; n -= 2, i += 2) {
      uint8_t byte = codes[i >> 1];
      *out++ = nf4_levels[byte >> 4] * scale;
      *out++ = nf4_levels[byte & 15] * scale;
    }
    if (n) *out++ = nf4_levels[codes[i >> 1] >> 4] * scale;
  }
}

// Panel of B (the right operand as multiplied, depth x width) for depth [k0, k0 + kc) and columns
// [j0, j0 + nc): strip s holds columns j0 + NR s .. + NR as kc rows of NR floats, zero beyond the
// last column. `row` is scratch for NR runs of kc or one row segment of nc floats.
static void pack_panel(const weight_t *w, int transpose_w, uint32_t cols, uint32_t k0, uint32_t kc,
                       uint32_t j0, uint32_t nc, float *panel, float *row) {
  uint32_t strips = (nc + NR - 1) / NR;
  if (transpose_w) {
    // B[k][j] = W[j][k]: the runs along k of a strip's NR rows of W are dequantized side by side
    // into `row` [NR][kc], then transposed 4 x 4 into the strip [kc][NR].
    for (uint32_t s = 0; s < strips; s++) {
      float *strip = panel + s * kc * NR;
      for (uint32_t c = 0; c < NR; c++) {
        uint32_t j = j0 + s * NR + c;
        if (j < j0 + nc) dequantize(w, j * cols + k0, kc, row + c * kc);
        else
          for (uint32_t k = 0; k < kc; k++) row[c * kc + k] = 0.0f;
      }
      uint32_t k = 0;
      for (; k + 4 <= kc; k += 4) {
        for (uint32_t c = 0; c < NR; c += 4) transpose4x4(row + c * kc + k, kc, strip + k * NR + c, NR);
      }
      for (; k < kc; k++)
        for (uint32_t c = 0; c < NR; c++) strip[k * NR + c] = row[c * kc + k];
    }
    return;
  }
  // B[k][j] = W[k][j]: W row k's segment [j0, j0 + nc) is cut into the strips' rows.
  for (uint32_t k = 0; k < kc; k++) {
    dequantize(w, (k0 + k) * cols + j0, nc, row);
    for (uint32_t c = nc; c < strips * NR; c++) row[c] = 0.0f;
    for (uint32_t s = 0; s < strips; s++) {
      float *to = panel + s * kc * NR + k * NR;
      wasm_v128_store(to, wasm_v128_load(row + s * NR));
      wasm_v128_store(to + 4, wasm_v128_load(row + s * NR + 4));
    }
  }
}

// C rows c0..c3 (NR columns each) = (accumulate ? C : 0) + A rows a0..a3 [kc] · strip [kc, NR].
// The accumulators start from C, so a dot product is summed in order, k = 0, 1, ..., depth - 1,
// across panels too: the sums XNNPACK's f32 GEMM computes for the widened weight, bit for bit.
// Rows may alias (fewer than MR rows left): every C load happens before any store, so an aliased
// row is written twice with the same value.
static void micro_kernel(uint32_t kc, const float *a0, const float *a1, const float *a2, const float *a3,
                         const float *b, float *c0, float *c1, float *c2, float *c3, int accumulate) {
  v128_t acc00 = wasm_f32x4_splat(0.0f), acc01 = acc00;
  v128_t acc10 = acc00, acc11 = acc00;
  v128_t acc20 = acc00, acc21 = acc00;
  v128_t acc30 = acc00, acc31 = acc00;
  if (accumulate) {
    acc00 = wasm_v128_load(c0);
    acc01 = wasm_v128_load(c0 + 4);
    acc10 = wasm_v128_load(c1);
    acc11 = wasm_v128_load(c1 + 4);
    acc20 = wasm_v128_load(c2);
    acc21 = wasm_v128_load(c2 + 4);
    acc30 = wasm_v128_load(c3);
    acc31 = wasm_v128_load(c3 + 4);
  }
  for (uint32_t k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(b);
    v128_t b1 = wasm_v128_load(b + 4);
    b += NR;
    v128_t x0 = wasm_v128_load32_splat(a0 + k);
    v128_t x1 = wasm_v128_load32_splat(a1 + k);
    v128_t x2 = wasm_v128_load32_splat(a2 + k);
    v128_t x3 = wasm_v128_load32_splat(a3 + k);
    acc00 = wasm_f32x4_add(acc00, wasm_f32x4_mul(x0, b0));
    acc01 = wasm_f32x4_add(acc01, wasm_f32x4_mul(x0, b1));
    acc10 = wasm_f32x4_add(acc10, wasm_f32x4_mul(x1, b0));
    acc11 = wasm_f32x4_add(acc11, wasm_f32x4_mul(x1, b1));
    acc20 = wasm_f32x4_add(acc20, wasm_f32x4_mul(x2, b0));
    acc21 = wasm_f32x4_add(acc21, wasm_f32x4_mul(x2, b1));
    acc30 = wasm_f32x4_add(acc30, wasm_f32x4_mul(x3, b0));
    acc31 = wasm_f32x4_add(acc31, wasm_f32x4_mul(x3, b1));
  }
  wasm_v128_store(c0, acc00);
  wasm_v128_store(c0 + 4, acc01);
  wasm_v128_store(c1, acc10);
  wasm_v128_store(c1 + 4, acc11);
  wasm_v128_store(c2, acc20);
  wasm_v128_store(c2 + 4, acc21);
  wasm_v128_store(c3, acc30);
  wasm_v128_store(c3 + 4, acc31);
}

// The same for a single row (a last row of x alone, or one-row products such as a decoding step):
// c0 = (accumulate ? c0 : 0) + a0 [kc] · strip [kc, NR], summed in the same order.
static void micro_kernel_1(uint32_t kc, const float *a0, const float *b, float *c0, int accumulate) {
  v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = acc0;
  if (accumulate) {
    acc0 = wasm_v128_load(c0);
    acc1 = wasm_v128_load(c0 + 4);
  }
  for (uint32_t k = 0; k < kc; k++) {
    v128_t x0 = wasm_v128_load32_splat(a0 + k);
    acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(x0, wasm_v128_load(b)));
    acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(x0, wasm_v128_load(b + 4)));
    b += NR;
  }
  wasm_v128_store(c0, acc0);
  wasm_v128_store(c0 + 4, acc1);
}

// Floats of scratch space packed_matmul needs at `scratch`: one panel, and NR runs of W along k
// or one W row segment.
__attribute__((export_name("packed_matmul_scratch_floats"))) uint32_t packed_matmul_scratch_floats(void) { return KC * NC + (NC > NR * KC ? NC : NR * KC); }

// C [m, n] = A [m, depth] · B (+ bias [n] when bias is not null), B = Wᵀ or W as above. All
// pointers are into this module's memory; `scratch` holds packed_matmul_scratch_floats() floats.
// Returns 0, or -1 for an unknown format or a zero block size.
__attribute__((export_name("packed_matmul"))) int packed_matmul(int format, const uint8_t *bytes, const float *absmax, uint32_t block_size, uint32_t rows,
                  uint32_t cols, int transpose_w, const float *a, uint32_t m, const float *bias, float *c,
                  float *scratch) {
  if (format != FORMAT_NF4 && format != FORMAT_BF16) return -1;
  if (format == FORMAT_NF4 && block_size == 0) return -1;
  weight_t w = {format, bytes, absmax, block_size};
  uint32_t depth = transpose_w ? cols : rows;
  uint32_t n = transpose_w ? rows : cols;
  float *panel = scratch;
  float *row = scratch + KC * NC;
  float edge[MR * NR];
  if (depth == 0)
    for (uint32_t i = 0; i < m * n; i++) c[i] = 0.0f;
  for (uint32_t j0 = 0; j0 < n; j0 += NC) {
    uint32_t nc = n - j0 < NC ? n - j0 : NC;
    for (uint32_t k0 = 0; k0 < depth; k0 += KC) {
      uint32_t kc = depth - k0 < KC ? depth - k0 : KC;
      int accumulate = k0 > 0;
      pack_panel(&w, transpose_w, cols, k0, kc, j0, nc, panel, row);
      for (uint32_t s = 0; s * NR < nc; s++) {
        const float *strip = panel + s * kc * NR;
        uint32_t j = j0 + s * NR;
        uint32_t width = nc - s * NR < NR ? nc - s * NR : NR;
        for (uint32_t i = 0; i < m; i += MR) {
          uint32_t height = m - i < MR ? m - i : MR;
          const float *a0 = a + i * depth + k0;
          const float *a1 = height > 1 ? a0 + depth : a0;
          const float *a2 = height > 2 ? a1 + depth : a1;
          const float *a3 = height > 3 ? a2 + depth : a2;
          if (width == NR && height == 1) {
            micro_kernel_1(kc, a0, strip, c + i * n + j, accumulate);
            continue;
          }
          if (width == NR) {
            float *c0 = c + i * n + j;
            float *c1 = height > 1 ? c0 + n : c0;
            float *c2 = height > 2 ? c1 + n : c1;
            float *c3 = height > 3 ? c2 + n : c2;
            micro_kernel(kc, a0, a1, a2, a3, strip, c0, c1, c2, c3, accumulate);
            continue;
          }
          // The last, narrower strip: through a full-width tile, then its valid columns.
          for (uint32_t r = 0; r < MR; r++)
            for (uint32_t q = 0; q < NR; q++)
              edge[r * NR + q] = (accumulate && r < height && q < width) ? c[(i + r) * n + j + q] : 0.0f;
          micro_kernel(kc, a0, a1, a2, a3, strip, edge, edge + NR, edge + 2 * NR, edge + 3 * NR, accumulate);
          for (uint32_t r = 0; r < height; r++)
            for (uint32_t q = 0; q < width; q++) c[(i + r) * n + j + q] = edge[r * NR + q];
        }
      }
    }
  }
  if (bias)
    for (uint32_t i = 0; i < m; i++)
      for (uint32_t j = 0; j < n; j++) c[i * n + j] += bias[j];
  return 0;
}
