// Attention, softmax(scale q kᵀ + mask, causal) v, and its gradient for tfjs's wasm backend, in
// tfjs-wasm's own memory (the pointers are tensors' heap offsets; see ../flash-attention-kernel.ts).
// q, out, dy [B, H, Tq, D]; k, v [B, Hkv, Tk, D], query head h reading kv head h / (H / Hkv);
// mask [B, Tk]; with causal, query i sees keys j <= past + i.
//
// Forward (FlashAttention's online softmax): four query rows at a time against blocks of
// KEY_BLOCK keys, keeping per row the running max m and sum l of e^(s − m) and rescaling the
// output rows when m grows, so no [Tq, Tk] score matrix exists. lse = m + log l per row is kept
// for the backward pass. Hidden keys (causal, and the padding of Tk to a multiple of 8) score −inf.
//
// Backward (FlashAttention-2's): per block, P = e^(S − lse) recomputed, dP = dO vᵀ,
// dS = P ⊙ (dP − rowsum(dO ⊙ O)); dq += scale dS k, dk += scale dSᵀ q, dv += Pᵀ dO and
// dmask += Σ_heads,queries dS.
//
// No stack and no static data (see ../../c/build.sh): the caller hands over a scratch buffer of
// flash_attention_scratch_floats (forward) or flash_attention_grad_scratch_floats (backward)
// floats, which holds kᵀ (and vᵀ), padded to a multiple of 8 keys so that scores are computed
// eight keys at a time without a horizontal sum, the block's scores and the per-row statistics.
#include <stdint.h>
#include <wasm_simd128.h>

#include "../../c/exp-f32x4.h"
#include "../../c/log-f32.h"
#include "../../c/partial-vector.h"

#define ROWS 4
#define KEY_BLOCK 128
#define NEG_INF (-__builtin_inff())

static uint32_t padded_keys(uint32_t keys) { return (keys + 7) & ~7u; }
static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

// e^x, 0 where x < −87 (hidden keys, and a first block's rescale of nothing).
static inline v128_t exp_or_zero(v128_t x) { return wasm_v128_and(exp_f32x4(x), wasm_f32x4_ge(x, wasm_f32x4_splat(-87.0f))); }
static inline float exp_scalar(float x) { return wasm_f32x4_extract_lane(exp_or_zero(wasm_f32x4_splat(x)), 0); }

// p[0..lanes) as one f32x4, lanes in 1..4 (partial ones zero-filled).
static inline v128_t load_partial4(const float *p, uint32_t lanes) { return lanes == 4 ? wasm_v128_load(p) : load_partial(p, lanes); }
static inline void store_partial4(float *p, v128_t v, uint32_t lanes) {
  if (lanes == 4) wasm_v128_store(p, v);
  else store_partial(p, v, lanes);
}

static void zero(float *p, uint32_t count) {
  uint32_t i = 0;
  for (; i + 4 <= count; i += 4) wasm_v128_store(p + i, wasm_f32x4_splat(0.0f));
  for (; i < count; i++) p[i] = 0.0f;
}

// rows [count, dim] as [dim, padded_keys(count)], the padding 0.
static void transpose_keys(const float *rows, float *columns, uint32_t count, uint32_t dim) {
  uint32_t stride = padded_keys(count);
  for (uint32_t d = 0; d < dim; d++) {
    float *column = columns + d * stride;
    for (uint32_t j = 0; j < count; j++) column[j] = rows[j * dim + d];
    for (uint32_t j = count; j < stride; j++) column[j] = 0.0f;
  }
}

// The mask row, −inf past the last key.
static void key_bias(const float *mask, float *bias, uint32_t keys) {
  for (uint32_t j = 0; j < keys; j++) bias[j] = mask[j];
  for (uint32_t j = keys; j < padded_keys(keys); j++) bias[j] = NEG_INF;
}

// out[r][j] = a_r · columns[·][j] for four rows a_r and count keys (a multiple of 8) of columns [dim, stride].
static void row_dots(const float *a0, const float *a1, const float *a2, const float *a3, const float *columns, uint32_t stride, uint32_t dim,
                     uint32_t count, float *out) {
  for (uint32_t j = 0; j < count; j += 8) {
    v128_t s00 = wasm_f32x4_splat(0.0f), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
    const float *column = columns + j;
    for (uint32_t d = 0; d < dim; d++, column += stride) {
      v128_t c0 = wasm_v128_load(column), c1 = wasm_v128_load(column + 4);
      v128_t x = wasm_v128_load32_splat(a0 + d);
      s00 = wasm_f32x4_add(s00, wasm_f32x4_mul(x, c0)), s01 = wasm_f32x4_add(s01, wasm_f32x4_mul(x, c1));
      x = wasm_v128_load32_splat(a1 + d);
      s10 = wasm_f32x4_add(s10, wasm_f32x4_mul(x, c0)), s11 = wasm_f32x4_add(s11, wasm_f32x4_mul(x, c1));
      x = wasm_v128_load32_splat(a2 + d);
      s20 = wasm_f32x4_add(s20, wasm_f32x4_mul(x, c0)), s21 = wasm_f32x4_add(s21, wasm_f32x4_mul(x, c1));
      x = wasm_v128_load32_splat(a3 + d);
      s30 = wasm_f32x4_add(s30, wasm_f32x4_mul(x, c0)), s31 = wasm_f32x4_add(s31, wasm_f32x4_mul(x, c1));
    }
    wasm_v128_store(out + j, s00), wasm_v128_store(out + j + 4, s01);
    wasm_v128_store(out + KEY_BLOCK + j, s10), wasm_v128_store(out + KEY_BLOCK + j + 4, s11);
    wasm_v128_store(out + 2 * KEY_BLOCK + j, s20), wasm_v128_store(out + 2 * KEY_BLOCK + j + 4, s21);
    wasm_v128_store(out + 3 * KEY_BLOCK + j, s30), wasm_v128_store(out + 3 * KEY_BLOCK + j + 4, s31);
  }
}

// The four rows' scores for keys first..first+count: scale · dots + bias, −inf for keys row r
// (query `query + r`, the last valid row for r >= rows) does not see under causal.
static void block_scores(const float *q0, const float *q1, const float *q2, const float *q3, const float *key_columns, const float *bias, uint32_t stride,
                         uint32_t dim, uint32_t first, uint32_t count, uint32_t query, uint32_t rows, uint32_t past, uint32_t causal, float scale,
                         float *scores) {
  row_dots(q0, q1, q2, q3, key_columns + first, stride, dim, count, scores);
  v128_t scale4 = wasm_f32x4_splat(scale);
  for (uint32_t r = 0; r < ROWS; r++) {
    float *row = scores + r * KEY_BLOCK;
    for (uint32_t j = 0; j < count; j += 4) wasm_v128_store(row + j, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(row + j), scale4), wasm_v128_load(bias + first + j)));
    if (!causal) continue;
    uint32_t last_seen = past + query + min_u32(r, rows - 1);
    for (uint32_t j = last_seen + 1 > first ? last_seen + 1 - first : 0; j < count; j++) row[j] = NEG_INF;
  }
}

// out_r[0..dim) += Σ_j coefficients[r][j] · sources[j][0..dim) for j < count, four rows (r >= rows alias row rows − 1 and are not stored).
static void add_weighted_rows(float *o0, float *o1, float *o2, float *o3, uint32_t rows, const float *coefficients, const float *sources, uint32_t dim,
                              uint32_t count) {
  uint32_t d = 0;
  for (; d + 8 <= dim; d += 8) {
    v128_t a00 = wasm_v128_load(o0 + d), a01 = wasm_v128_load(o0 + d + 4), a10 = wasm_v128_load(o1 + d), a11 = wasm_v128_load(o1 + d + 4);
    v128_t a20 = wasm_v128_load(o2 + d), a21 = wasm_v128_load(o2 + d + 4), a30 = wasm_v128_load(o3 + d), a31 = wasm_v128_load(o3 + d + 4);
    const float *source = sources + d;
    for (uint32_t j = 0; j < count; j++, source += dim) {
      v128_t s0 = wasm_v128_load(source), s1 = wasm_v128_load(source + 4);
      v128_t c = wasm_v128_load32_splat(coefficients + j);
      a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(c, s0)), a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(c, s1));
      c = wasm_v128_load32_splat(coefficients + KEY_BLOCK + j);
      a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(c, s0)), a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(c, s1));
      c = wasm_v128_load32_splat(coefficients + 2 * KEY_BLOCK + j);
      a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(c, s0)), a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(c, s1));
      c = wasm_v128_load32_splat(coefficients + 3 * KEY_BLOCK + j);
      a30 = wasm_f32x4_add(a30, wasm_f32x4_mul(c, s0)), a31 = wasm_f32x4_add(a31, wasm_f32x4_mul(c, s1));
    }
    wasm_v128_store(o0 + d, a00), wasm_v128_store(o0 + d + 4, a01);
    if (rows > 1) wasm_v128_store(o1 + d, a10), wasm_v128_store(o1 + d + 4, a11);
    if (rows > 2) wasm_v128_store(o2 + d, a20), wasm_v128_store(o2 + d + 4, a21);
    if (rows > 3) wasm_v128_store(o3 + d, a30), wasm_v128_store(o3 + d + 4, a31);
  }
  for (; d < dim; d += 4) {
    uint32_t lanes = min_u32(dim - d, 4);
    v128_t a0 = load_partial4(o0 + d, lanes), a1 = load_partial4(o1 + d, lanes), a2 = load_partial4(o2 + d, lanes), a3 = load_partial4(o3 + d, lanes);
    const float *source = sources + d;
    for (uint32_t j = 0; j < count; j++, source += dim) {
      v128_t s = load_partial4(source, lanes);
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load32_splat(coefficients + j), s));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load32_splat(coefficients + KEY_BLOCK + j), s));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load32_splat(coefficients + 2 * KEY_BLOCK + j), s));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load32_splat(coefficients + 3 * KEY_BLOCK + j), s));
    }
    store_partial4(o0 + d, a0, lanes);
    if (rows > 1) store_partial4(o1 + d, a1, lanes);
    if (rows > 2) store_partial4(o2 + d, a2, lanes);
    if (rows > 3) store_partial4(o3 + d, a3, lanes);
  }
}

// k0[d..d+lanes) += Σ_r c_r0 · x_r[d..d+lanes) and k1 the same with c_r1; lanes in 1..4 (a constant 4 in the loop's body).
static inline __attribute__((always_inline)) void add_to_key_pair(float *k0, float *k1, const float *x0, const float *x1, const float *x2, const float *x3,
                                                                  v128_t c00, v128_t c10, v128_t c20, v128_t c30, v128_t c01, v128_t c11, v128_t c21,
                                                                  v128_t c31, uint32_t d, uint32_t lanes) {
  v128_t v0 = load_partial4(x0 + d, lanes), v1 = load_partial4(x1 + d, lanes), v2 = load_partial4(x2 + d, lanes), v3 = load_partial4(x3 + d, lanes);
  v128_t a = load_partial4(k0 + d, lanes), b = load_partial4(k1 + d, lanes);
  a = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a, wasm_f32x4_mul(c00, v0)), wasm_f32x4_mul(c10, v1)), wasm_f32x4_add(wasm_f32x4_mul(c20, v2), wasm_f32x4_mul(c30, v3)));
  b = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(b, wasm_f32x4_mul(c01, v0)), wasm_f32x4_mul(c11, v1)), wasm_f32x4_add(wasm_f32x4_mul(c21, v2), wasm_f32x4_mul(c31, v3)));
  store_partial4(k0 + d, a, lanes), store_partial4(k1 + d, b, lanes);
}

// keys[j][0..dim) += Σ_r coefficients[r][j] · x_r[0..dim) for j < count (even), keys [count, dim].
static void add_to_keys(float *keys, const float *coefficients, const float *x0, const float *x1, const float *x2, const float *x3, uint32_t dim,
                        uint32_t count) {
  for (uint32_t j = 0; j < count; j += 2) {
    const float *c = coefficients + j;
    v128_t c00 = wasm_v128_load32_splat(c), c10 = wasm_v128_load32_splat(c + KEY_BLOCK), c20 = wasm_v128_load32_splat(c + 2 * KEY_BLOCK),
           c30 = wasm_v128_load32_splat(c + 3 * KEY_BLOCK);
    v128_t c01 = wasm_v128_load32_splat(c + 1), c11 = wasm_v128_load32_splat(c + KEY_BLOCK + 1), c21 = wasm_v128_load32_splat(c + 2 * KEY_BLOCK + 1),
           c31 = wasm_v128_load32_splat(c + 3 * KEY_BLOCK + 1);
    float *k0 = keys + j * dim, *k1 = k0 + dim;
    uint32_t d = 0;
    for (; d + 4 <= dim; d += 4) add_to_key_pair(k0, k1, x0, x1, x2, x3, c00, c10, c20, c30, c01, c11, c21, c31, d, 4);
    if (d < dim) add_to_key_pair(k0, k1, x0, x1, x2, x3, c00, c10, c20, c30, c01, c11, c21, c31, d, dim - d);
  }
}

// The keys a block of `rows` queries from `query` sees at all: all of them, or up to the last row's under causal
// (the callers round it up to a multiple of 8, whose extra keys score −inf).
static uint32_t seen_keys(uint32_t keys, uint32_t query, uint32_t rows, uint32_t past, uint32_t causal) {
  return causal ? min_u32(keys, past + query + rows) : keys;
}

static float row_max(const float *row, uint32_t count) {
  v128_t m = wasm_f32x4_splat(NEG_INF);
  for (uint32_t j = 0; j < count; j += 4) m = wasm_f32x4_pmax(m, wasm_v128_load(row + j));
  float a = wasm_f32x4_extract_lane(m, 0), b = wasm_f32x4_extract_lane(m, 1), c = wasm_f32x4_extract_lane(m, 2), d = wasm_f32x4_extract_lane(m, 3);
  a = a > b ? a : b, c = c > d ? c : d;
  return a > c ? a : c;
}

static void scale_row(float *row, float factor, uint32_t dim) {
  v128_t f = wasm_f32x4_splat(factor);
  uint32_t d = 0;
  for (; d + 4 <= dim; d += 4) wasm_v128_store(row + d, wasm_f32x4_mul(wasm_v128_load(row + d), f));
  for (; d < dim; d++) row[d] *= factor;
}

static float row_dot(const float *a, const float *b, uint32_t dim) {
  v128_t s = wasm_f32x4_splat(0.0f);
  uint32_t d = 0;
  for (; d + 4 <= dim; d += 4) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load(a + d), wasm_v128_load(b + d)));
  if (d < dim) s = wasm_f32x4_add(s, wasm_f32x4_mul(load_partial(a + d, dim - d), load_partial(b + d, dim - d)));
  return lane_sum(s);
}

// Floats of scratch the forward pass needs: kᵀ, the key bias, a block's scores, and m, l and the rescale per row.
__attribute__((export_name("flash_attention_scratch_floats"))) uint32_t flash_attention_scratch_floats(uint32_t keys, uint32_t dim) {
  return padded_keys(keys) * (dim + 1) + ROWS * KEY_BLOCK + 3 * ROWS;
}

__attribute__((export_name("flash_attention"))) void flash_attention(const float *q, const float *k, const float *v, const float *mask, float *out, float *lse,
                                                                     float *scratch, uint32_t batch, uint32_t heads, uint32_t kv_heads, uint32_t queries,
                                                                     uint32_t keys, uint32_t dim, uint32_t past, uint32_t causal, float scale) {
  uint32_t stride = padded_keys(keys), group = heads / kv_heads;
  float *key_columns = scratch, *bias = key_columns + stride * dim, *scores = bias + stride;
  float *max = scores + ROWS * KEY_BLOCK, *sum = max + ROWS, *rescale = sum + ROWS;
  for (uint32_t b = 0; b < batch; b++) {
    key_bias(mask + b * keys, bias, keys);
    for (uint32_t kv = 0; kv < kv_heads; kv++) {
      const float *k_head = k + (b * kv_heads + kv) * keys * dim, *v_head = v + (b * kv_heads + kv) * keys * dim;
      transpose_keys(k_head, key_columns, keys, dim);
      for (uint32_t h = kv * group; h < (kv + 1) * group; h++) {
        uint32_t head_row = (b * heads + h) * queries;
        for (uint32_t i = 0; i < queries; i += ROWS) {
          uint32_t rows = min_u32(queries - i, ROWS);
          const float *q0 = q + (head_row + i) * dim, *q1 = q0 + min_u32(1, rows - 1) * dim, *q2 = q0 + min_u32(2, rows - 1) * dim,
                      *q3 = q0 + min_u32(3, rows - 1) * dim;
          float *o0 = out + (head_row + i) * dim, *o1 = o0 + min_u32(1, rows - 1) * dim, *o2 = o0 + min_u32(2, rows - 1) * dim,
                *o3 = o0 + min_u32(3, rows - 1) * dim;
          for (uint32_t r = 0; r < ROWS; r++) max[r] = NEG_INF, sum[r] = 0.0f;
          zero(o0, rows * dim);
          uint32_t seen = padded_keys(seen_keys(keys, i, rows, past, causal));
          for (uint32_t first = 0; first < seen; first += KEY_BLOCK) {
            uint32_t count = min_u32(KEY_BLOCK, seen - first);
            block_scores(q0, q1, q2, q3, key_columns, bias, stride, dim, first, count, i, rows, past, causal, scale, scores);
            for (uint32_t r = 0; r < ROWS; r++) {
              float *row = scores + r * KEY_BLOCK;
              float block_max = row_max(row, count), new_max = block_max > max[r] ? block_max : max[r];
              rescale[r] = exp_scalar(max[r] - new_max), max[r] = new_max;
              v128_t m = wasm_f32x4_splat(new_max), s = wasm_f32x4_splat(0.0f);
              for (uint32_t j = 0; j < count; j += 4) {
                v128_t p = exp_or_zero(wasm_f32x4_sub(wasm_v128_load(row + j), m));
                wasm_v128_store(row + j, p), s = wasm_f32x4_add(s, p);
              }
              sum[r] = sum[r] * rescale[r] + lane_sum(s);
            }
            for (uint32_t r = 0; r < rows && first > 0; r++) scale_row(o0 + r * dim, rescale[r], dim);
            add_weighted_rows(o0, o1, o2, o3, rows, scores, v_head + first * dim, dim, min_u32(count, keys - first));
          }
          for (uint32_t r = 0; r < rows; r++) {
            scale_row(o0 + r * dim, 1.0f / sum[r], dim);
            lse[head_row + i + r] = max[r] + log_scalar(sum[r]);
          }
        }
      }
    }
  }
}

// Floats of scratch the backward pass needs: kᵀ, vᵀ, the key bias, P and dS of a block, dk and dv of one kv head (padded keys), and rowsum(dO ⊙ O) per row.
__attribute__((export_name("flash_attention_grad_scratch_floats"))) uint32_t flash_attention_grad_scratch_floats(uint32_t keys, uint32_t dim) {
  return padded_keys(keys) * (4 * dim + 1) + 2 * ROWS * KEY_BLOCK + ROWS;
}

__attribute__((export_name("flash_attention_grad"))) void flash_attention_grad(const float *dy, const float *q, const float *k, const float *v, const float *mask,
                                                                               const float *out, const float *lse, float *dq, float *dk, float *dv, float *dmask,
                                                                               float *scratch, uint32_t batch, uint32_t heads, uint32_t kv_heads, uint32_t queries,
                                                                               uint32_t keys, uint32_t dim, uint32_t past, uint32_t causal, float scale) {
  uint32_t stride = padded_keys(keys), group = heads / kv_heads;
  float *key_columns = scratch, *value_columns = key_columns + stride * dim, *bias = value_columns + stride * dim;
  float *p = bias + stride, *ds = p + ROWS * KEY_BLOCK, *dk_head = ds + ROWS * KEY_BLOCK, *dv_head = dk_head + stride * dim, *delta = dv_head + stride * dim;
  zero(dmask, batch * keys);
  for (uint32_t b = 0; b < batch; b++) {
    key_bias(mask + b * keys, bias, keys);
    for (uint32_t kv = 0; kv < kv_heads; kv++) {
      uint32_t kv_offset = (b * kv_heads + kv) * keys * dim;
      transpose_keys(k + kv_offset, key_columns, keys, dim);
      transpose_keys(v + kv_offset, value_columns, keys, dim);
      zero(dk_head, 2 * stride * dim);
      for (uint32_t h = kv * group; h < (kv + 1) * group; h++) {
        uint32_t head_row = (b * heads + h) * queries;
        for (uint32_t i = 0; i < queries; i += ROWS) {
          uint32_t rows = min_u32(queries - i, ROWS), at = (head_row + i) * dim;
          uint32_t at1 = at + min_u32(1, rows - 1) * dim, at2 = at + min_u32(2, rows - 1) * dim, at3 = at + min_u32(3, rows - 1) * dim;
          for (uint32_t r = 0; r < ROWS; r++) {
            uint32_t row = at + min_u32(r, rows - 1) * dim;
            delta[r] = row_dot(dy + row, out + row, dim);
          }
          zero(dq + at, rows * dim);
          uint32_t seen = padded_keys(seen_keys(keys, i, rows, past, causal));
          for (uint32_t first = 0; first < seen; first += KEY_BLOCK) {
            uint32_t count = min_u32(KEY_BLOCK, seen - first), real = min_u32(count, keys - first);
            block_scores(q + at, q + at1, q + at2, q + at3, key_columns, bias, stride, dim, first, count, i, rows, past, causal, scale, p);
            row_dots(dy + at, dy + at1, dy + at2, dy + at3, value_columns + first, stride, dim, count, ds);
            for (uint32_t r = 0; r < ROWS; r++) {
              float *p_row = p + r * KEY_BLOCK, *ds_row = ds + r * KEY_BLOCK;
              // Rows past the last query weigh nothing.
              v128_t l = wasm_f32x4_splat(r < rows ? lse[head_row + i + r] : __builtin_inff()), dl = wasm_f32x4_splat(delta[r]);
              for (uint32_t j = 0; j < count; j += 4) {
                v128_t pj = exp_or_zero(wasm_f32x4_sub(wasm_v128_load(p_row + j), l));
                wasm_v128_store(p_row + j, pj);
                wasm_v128_store(ds_row + j, wasm_f32x4_mul(pj, wasm_f32x4_sub(wasm_v128_load(ds_row + j), dl)));
              }
            }
            float *dmask_row = dmask + b * keys + first;
            for (uint32_t j = 0; j < real; j++) dmask_row[j] += (ds[j] + ds[KEY_BLOCK + j]) + (ds[2 * KEY_BLOCK + j] + ds[3 * KEY_BLOCK + j]);
            for (uint32_t r = 0; r < ROWS; r++) scale_row(ds + r * KEY_BLOCK, scale, count);
            add_weighted_rows(dq + at, dq + at1, dq + at2, dq + at3, rows, ds, k + kv_offset + first * dim, dim, real);
            add_to_keys(dk_head + first * dim, ds, q + at, q + at1, q + at2, q + at3, dim, count);
            add_to_keys(dv_head + first * dim, p, dy + at, dy + at1, dy + at2, dy + at3, dim, count);
          }
        }
      }
      for (uint32_t x = 0; x < keys * dim; x++) dk[kv_offset + x] = dk_head[x], dv[kv_offset + x] = dv_head[x];
    }
  }
}
