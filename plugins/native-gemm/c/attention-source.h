// Fused attention, forward and backward, shared by the three variants (attention-avx512.c,
// attention-avx2.c, attention-sse2.c): the algorithm of the wasm plugin's kernel
// (plugins/backend-wasm/src/kernels/flash-attention/c/flash-attention.c), laid out for wider
// vectors. Each variant defines, before including this file: its vector type `vec` of VEC_WIDTH
// floats and the operations below use (vec-words.h's VEC_WORDS: vec_zero, vec_set1, vec_loadu,
// vec_storeu, vec_add, vec_sub, vec_mul, vec_max, vec_min, vec_first; and in its ISA's own
// spelling vec_load_part, vec_store_part, vec_fma, vec_keep_at_least, vec_hide_from, vec_pow2,
// vec_sum, vec_max_lane), ROWS (query rows per block), DV
// (output vectors per row a weighted sum keeps in registers) and ATTENTION_KERNEL, the
// attention_kernel it defines.
//
// Forward (FlashAttention's online softmax): ROWS query rows at a time against blocks of KEY_BLOCK
// keys, keeping per row the running max m and sum l of e^(s − m) and rescaling the output rows when
// m grows, so no [Tq, Tk] score matrix exists; lse = m + log l per row is kept for the backward.
// Scores put keys in the lanes (kᵀ is copied into scratch, padded to CHUNK keys, two vectors), so
// any head size fills the vectors; the weighted sum of v rows puts the head dimension in the lanes
// (up to DV vectors per row in registers across a block's keys, ROWS independent FMA chains).
// Measured on Zen 5 (AVX-512) against keys in the lanes there too (vᵀ, a sum per head dimension
// reduced at the end of a block): 2x faster at head size 64 and 128, and at 8 (half-empty vectors)
// still 10% faster than that fused into the softmax pass. Hidden keys (causal, and the padding)
// score −inf.
//
// Backward (FlashAttention-2's): per block, P = e^(S − lse) recomputed, dP = dO vᵀ (vᵀ in scratch),
// dS = P ⊙ (dP − rowsum(dO ⊙ O)); dq += scale dS k, dkᵀ += scale qᵀ dS and dvᵀ += dOᵀ P (kept
// transposed in scratch for a kv head's whole group of query heads, keys in the lanes, and copied
// out at its end), dmask += Σ_heads,queries dS.
#include <stdint.h>
#include <string.h>

#include "attention.h"

#define CHUNK (2 * VEC_WIDTH)
#define KEY_BLOCK 256
#define NEG_INF (-__builtin_inff())

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }
static size_t padded_keys(size_t keys) { return (keys + CHUNK - 1) / CHUNK * CHUNK; }
static size_t vector_lanes(size_t remaining) { return remaining < VEC_WIDTH ? remaining : VEC_WIDTH; }

// The first `lanes` floats at `at` (1 .. VEC_WIDTH), the rest 0: a whole vector, or the variant's
// partial load, which reads only those lanes.
static inline vec vec_load_lanes(const float *at, size_t lanes) { return lanes == VEC_WIDTH ? vec_loadu(at) : vec_load_part(at, lanes); }
static inline void vec_store_lanes(float *at, vec x, size_t lanes) {
  if (lanes == VEC_WIDTH) vec_storeu(at, x);
  else vec_store_part(at, x, lanes);
}

// e^x, 0 where x < −87 or x is NaN (hidden keys, and a first block's rescale of nothing). Cephes'
// expf as the wasm kernel's exp-f32x4.h: x·log2(e) rounded to n with a magic-number add, a
// degree-6 polynomial on the remainder r = x − n ln2, times 2^n; within about 2 ulp.
static inline vec exp_or_zero(vec x) {
  vec low = vec_set1(-87.0f), magic = vec_set1(12582912.0f);
  vec clamped = vec_max(vec_min(x, vec_set1(88.0f)), low);
  vec shifted = vec_fma(clamped, vec_set1(1.44269504088896341f), magic);
  vec n = vec_sub(shifted, magic);
  vec r = vec_fma(n, vec_set1(-0.693359375f), clamped);
  r = vec_fma(n, vec_set1(2.12194440e-4f), r);
  vec p = vec_set1(1.9875691500e-4f);
  p = vec_fma(p, r, vec_set1(1.3981999507e-3f));
  p = vec_fma(p, r, vec_set1(8.3334519073e-3f));
  p = vec_fma(p, r, vec_set1(4.1665795894e-2f));
  p = vec_fma(p, r, vec_set1(1.6666665459e-1f));
  p = vec_fma(p, r, vec_set1(5.0000001201e-1f));
  p = vec_add(vec_fma(vec_mul(p, r), r, r), vec_set1(1.0f));
  return vec_keep_at_least(x, low, vec_mul(p, vec_pow2(shifted)));
}

static float exp_scalar(float x) { return vec_first(exp_or_zero(vec_set1(x))); }

// log x for x >= 1 (a softmax sum), as 2 atanh((m − 1) / (m + 1)) + e ln 2, x = m 2^e (no libm:
// its logf would tie the binary to a newer glibc).
static float log_scalar(float x) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  int e = (int)((bits >> 23) & 255) - 127;
  bits = (bits & 0x7fffff) | 0x3f800000;
  float m;
  memcpy(&m, &bits, sizeof m);
  if (m > 1.41421356f) m *= 0.5f, e += 1;
  double f = m - 1.0, s = f / (2.0 + f), s2 = s * s;
  double atanh = s * (1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 / 11)))));
  return (float)(e * 0.6931471805599453 + 2.0 * atanh);
}

// Transposes go TILE keys at a time, so that the rows being read stay in L1.
#define TILE 16

// rows [count, dim] as columns [dim, stride], the padding 0.
static void transpose_in(const float *rows, float *columns, size_t count, size_t dim, size_t stride) {
  for (size_t j0 = 0; j0 < count; j0 += TILE) {
    size_t tile = min_size(TILE, count - j0);
    for (size_t d = 0; d < dim; d++)
      for (size_t j = j0; j < j0 + tile; j++) columns[d * stride + j] = rows[j * dim + d];
  }
  for (size_t d = 0; d < dim; d++) memset(columns + d * stride + count, 0, (stride - count) * sizeof(float));
}

// columns [dim, stride] as rows [count, dim].
static void transpose_out(const float *columns, float *rows, size_t count, size_t dim, size_t stride) {
  for (size_t j0 = 0; j0 < count; j0 += TILE) {
    size_t tile = min_size(TILE, count - j0);
    for (size_t d = 0; d < dim; d++)
      for (size_t j = j0; j < j0 + tile; j++) rows[j * dim + d] = columns[d * stride + j];
  }
}

// The mask row, −inf past the last key.
static void key_bias(const float *mask, float *bias, size_t keys, size_t stride) {
  memcpy(bias, mask, keys * sizeof(float));
  for (size_t j = keys; j < stride; j++) bias[j] = NEG_INF;
}

// s[r] = a_r · columns[·][0 .. CHUNK) over `dim`, for the ROWS rows a_r; columns [dim, stride].
static inline __attribute__((always_inline)) void chunk_dots(const float *const a[ROWS], const float *column, size_t stride, size_t dim,
                                                             vec s[ROWS][2]) {
  for (int r = 0; r < ROWS; r++) s[r][0] = s[r][1] = vec_zero();
  for (size_t d = 0; d < dim; d++, column += stride) {
    vec c0 = vec_loadu(column), c1 = vec_loadu(column + VEC_WIDTH);
    for (int r = 0; r < ROWS; r++) {
      vec x = vec_set1(a[r][d]);
      s[r][0] = vec_fma(x, c0, s[r][0]), s[r][1] = vec_fma(x, c1, s[r][1]);
    }
  }
}

// Lanes of the vector from key `key` that a row seeing keys up to `last` sees (0 .. VEC_WIDTH).
static inline size_t visible_lanes(size_t last, size_t key) { return last + 1 <= key ? 0 : vector_lanes(last + 1 - key); }

// The rows' scores for keys first .. first + count (count a multiple of CHUNK) into scores
// [ROWS][KEY_BLOCK]: scale · q_r · k_j + bias_j, −inf past key last[r]. `columns` and `bias` start
// at key `first`.
static void block_scores(const float *const q[ROWS], const float *columns, const float *bias, size_t stride, size_t dim, size_t first,
                         size_t count, const size_t last[ROWS], float scale, float *scores) {
  vec scale_v = vec_set1(scale);
  for (size_t j = 0; j < count; j += CHUNK) {
    vec s[ROWS][2];
    chunk_dots(q, columns + j, stride, dim, s);
    vec b0 = vec_loadu(bias + j), b1 = vec_loadu(bias + j + VEC_WIDTH);
    size_t key = first + j;
    for (int r = 0; r < ROWS; r++) {
      vec x0 = vec_fma(s[r][0], scale_v, b0), x1 = vec_fma(s[r][1], scale_v, b1);
      if (last[r] < key + CHUNK - 1) x0 = vec_hide_from(x0, visible_lanes(last[r], key)), x1 = vec_hide_from(x1, visible_lanes(last[r], key + VEC_WIDTH));
      vec_storeu(scores + r * KEY_BLOCK + j, x0), vec_storeu(scores + r * KEY_BLOCK + j + VEC_WIDTH, x1);
    }
  }
}

// out[r][j] = a_r · columns[·][j] for j < count (a multiple of CHUNK).
static void block_dots(const float *const a[ROWS], const float *columns, size_t stride, size_t dim, size_t count, float *out) {
  for (size_t j = 0; j < count; j += CHUNK) {
    vec s[ROWS][2];
    chunk_dots(a, columns + j, stride, dim, s);
    for (int r = 0; r < ROWS; r++) vec_storeu(out + r * KEY_BLOCK + j, s[r][0]), vec_storeu(out + r * KEY_BLOCK + j + VEC_WIDTH, s[r][1]);
  }
}

// How a weighted sum treats its rows' earlier values: o_r = after_r · ((fresh ? 0 : before_r · o_r) + Σ ...),
// so that a block's sum also rescales what earlier blocks left (before) and the last block normalizes (after).
typedef struct {
  float before[ROWS], after[ROWS];
  int fresh;
} row_scaling;

// o_r[d .. d + width) = after_r · ((fresh ? 0 : before_r · o_r) + Σ_{j < count} coefficients[r][j] · sources[j][d ..])
// for `vectors` vectors, the last of `last_lanes` lanes; sources has rows of `pitch` floats from which whole vectors
// can be loaded (no masked loads in the loop: with them GCC keeps acc in memory). Rows r >= rows are computed (they
// alias the last) but not stored.
static inline __attribute__((always_inline)) void weighted_part(float *const o[ROWS], size_t rows, const float *coefficients, const float *sources,
                                                                size_t pitch, size_t count, const row_scaling *scaling, size_t d, int vectors,
                                                                size_t last_lanes) {
  vec acc[ROWS][DV];
  for (int r = 0; r < ROWS; r++) {
    vec f = vec_set1(scaling->before[r]);
    for (int c = 0; c < vectors; c++)
      acc[r][c] = scaling->fresh ? vec_zero() : vec_mul(f, vec_load_lanes(o[r] + d + c * VEC_WIDTH, c == vectors - 1 ? last_lanes : VEC_WIDTH));
  }
  const float *source = sources + d;
  for (size_t j = 0; j < count; j++, source += pitch) {
    vec s[DV];
    for (int c = 0; c < vectors; c++) s[c] = vec_loadu(source + c * VEC_WIDTH);
    for (int r = 0; r < ROWS; r++) {
      vec x = vec_set1(coefficients[r * KEY_BLOCK + j]);
      for (int c = 0; c < vectors; c++) acc[r][c] = vec_fma(x, s[c], acc[r][c]);
    }
  }
  for (int r = 0; r < ROWS; r++) {
    vec f = vec_set1(scaling->after[r]);
    for (int c = 0; c < vectors; c++)
      if ((size_t)r < rows) vec_store_lanes(o[r] + d + c * VEC_WIDTH, vec_mul(f, acc[r][c]), c == vectors - 1 ? last_lanes : VEC_WIDTH);
  }
}

// o_r = after_r · ((fresh ? 0 : before_r · o_r) + Σ_{j < count} coefficients[r][j] · sources[j]) over the row of
// `dim`, sources [count, pitch] (see vector_rows).
static void add_weighted_rows(float *const o[ROWS], size_t rows, const float *coefficients, const float *sources, size_t dim, size_t pitch,
                              size_t count, const row_scaling *scaling) {
  size_t d = 0;
  for (; d + DV * VEC_WIDTH <= dim; d += DV * VEC_WIDTH) weighted_part(o, rows, coefficients, sources, pitch, count, scaling, d, DV, VEC_WIDTH);
  for (; d < dim; d += VEC_WIDTH) weighted_part(o, rows, coefficients, sources, pitch, count, scaling, d, 1, vector_lanes(dim - d));
}

// The pitch of rows of `dim` floats that whole vectors can be loaded from.
static size_t padded_dim(size_t dim) { return (dim + VEC_WIDTH - 1) / VEC_WIDTH * VEC_WIDTH; }

// rows [count, dim] as [count, padded_dim(dim)]: `rows` itself when dim is a multiple of VEC_WIDTH, else a copy in
// `space` with each row zero-padded.
static const float *vector_rows(const float *rows, float *space, size_t count, size_t dim) {
  size_t pitch = padded_dim(dim);
  if (pitch == dim) return rows;
  for (size_t j = 0; j < count; j++) {
    memcpy(space + j * pitch, rows + j * dim, dim * sizeof(float));
    memset(space + j * pitch + dim, 0, (pitch - dim) * sizeof(float));
  }
  return space;
}

// columns[d][j] += Σ_r x_r[d] · coefficients[r][j] for d < dim and j < count (a multiple of CHUNK); columns [dim, stride].
static void add_outer(float *columns, size_t stride, const float *const x[ROWS], const float *coefficients, size_t dim, size_t count) {
  for (size_t j = 0; j < count; j += CHUNK) {
    vec c[ROWS][2];
    for (int r = 0; r < ROWS; r++) c[r][0] = vec_loadu(coefficients + r * KEY_BLOCK + j), c[r][1] = vec_loadu(coefficients + r * KEY_BLOCK + j + VEC_WIDTH);
    float *column = columns + j;
    for (size_t d = 0; d < dim; d++, column += stride) {
      vec a0 = vec_loadu(column), a1 = vec_loadu(column + VEC_WIDTH);
      for (int r = 0; r < ROWS; r++) {
        vec y = vec_set1(x[r][d]);
        a0 = vec_fma(y, c[r][0], a0), a1 = vec_fma(y, c[r][1], a1);
      }
      vec_storeu(column, a0), vec_storeu(column + VEC_WIDTH, a1);
    }
  }
}

// a · b over `dim` (rowsum(dO ⊙ O) of a query row).
static float row_dot(const float *a, const float *b, size_t dim) {
  vec s = vec_zero();
  for (size_t d = 0; d < dim; d += VEC_WIDTH) {
    size_t lanes = vector_lanes(dim - d);
    s = vec_fma(vec_load_lanes(a + d, lanes), vec_load_lanes(b + d, lanes), s);
  }
  return vec_sum(s);
}

// A block of up to ROWS query rows of one head: pointers to row r of each [.., queries, dim]
// tensor (r >= rows aliasing the last row), and the last key each row sees.
typedef struct {
  size_t first_row, rows, seen;
  size_t last[ROWS];
} query_block;

// The block of queries i .. i + ROWS of the head whose rows start at head_row; `seen` is the
// number of keys (a multiple of CHUNK) any of its rows sees.
static query_block query_block_at(const attention_sizes *s, size_t head_row, size_t i) {
  query_block block = {head_row + i, min_size(s->queries - i, ROWS), 0, {0}};
  for (int r = 0; r < ROWS; r++) block.last[r] = s->causal ? s->past + i + min_size(r, block.rows - 1) : SIZE_MAX;
  block.seen = padded_keys(s->causal ? min_size(s->keys, s->past + i + block.rows) : s->keys);
  return block;
}

// Row r's pointer into a [.., queries, dim] tensor.
static void block_rows(const query_block *block, const float *tensor, size_t dim, const float *rows[ROWS]) {
  for (int r = 0; r < ROWS; r++) rows[r] = tensor + (block->first_row + min_size(r, block->rows - 1)) * dim;
}

// Floats of scratch the forward pass needs: kᵀ, v's rows padded (see vector_rows), the key bias, and a block's scores.
static size_t forward_scratch_floats(size_t keys, size_t dim) { return padded_keys(keys) * (dim + padded_dim(dim) + 1) + ROWS * KEY_BLOCK; }

// A row of the scores block becomes e^(s − m), m its new running max, added to its sum; returns
// the factor the row's earlier sum and output are rescaled by.
static float softmax_block(float *row, size_t count, float *max, float *sum) {
  vec m = vec_set1(NEG_INF);
  for (size_t j = 0; j < count; j += VEC_WIDTH) m = vec_max(m, vec_loadu(row + j));
  float block_max = vec_max_lane(m), new_max = block_max > *max ? block_max : *max;
  float rescale = exp_scalar(*max - new_max);
  vec subtrahend = vec_set1(new_max), total = vec_zero();
  for (size_t j = 0; j < count; j += VEC_WIDTH) {
    vec p = exp_or_zero(vec_sub(vec_loadu(row + j), subtrahend));
    vec_storeu(row + j, p), total = vec_add(total, p);
  }
  *max = new_max, *sum = *sum * rescale + vec_sum(total);
  return rescale;
}

static void forward(const attention_sizes *s, const float *q, const float *k, const float *v, const float *mask, float *out, float *lse,
                    float *scratch) {
  size_t stride = padded_keys(s->keys), dim = s->dim, group = s->heads / s->kv_heads, pitch = padded_dim(dim);
  float *key_columns = scratch, *padded_values = key_columns + stride * dim, *bias = padded_values + stride * pitch, *scores = bias + stride;
  for (size_t b = 0; b < s->batch; b++) {
    key_bias(mask + b * s->keys, bias, s->keys, stride);
    for (size_t kv = 0; kv < s->kv_heads; kv++) {
      size_t kv_offset = (b * s->kv_heads + kv) * s->keys * dim;
      transpose_in(k + kv_offset, key_columns, s->keys, dim, stride);
      const float *value_rows = vector_rows(v + kv_offset, padded_values, s->keys, dim);
      for (size_t h = kv * group; h < (kv + 1) * group; h++)
        for (size_t i = 0; i < s->queries; i += ROWS) {
          query_block block = query_block_at(s, (b * s->heads + h) * s->queries, i);
          const float *q_rows[ROWS];
          float *out_rows[ROWS], max[ROWS], sum[ROWS];
          block_rows(&block, q, dim, q_rows);
          block_rows(&block, out, dim, (const float **)out_rows);
          for (int r = 0; r < ROWS; r++) max[r] = NEG_INF, sum[r] = 0.0f;
          for (size_t first = 0; first < block.seen; first += KEY_BLOCK) {
            size_t count = min_size(KEY_BLOCK, block.seen - first);
            row_scaling scaling = {.fresh = first == 0};
            block_scores(q_rows, key_columns + first, bias + first, stride, dim, first, count, block.last, s->scale, scores);
            // The last block's sum also divides by the softmax's sum, now known.
            for (int r = 0; r < ROWS; r++) {
              scaling.before[r] = softmax_block(scores + r * KEY_BLOCK, count, max + r, sum + r);
              scaling.after[r] = first + count < block.seen ? 1.0f : 1.0f / sum[r];
            }
            add_weighted_rows(out_rows, block.rows, scores, value_rows + first * pitch, dim, pitch, min_size(count, s->keys - first), &scaling);
          }
          for (size_t r = 0; r < block.rows; r++) lse[block.first_row + r] = max[r] + log_scalar(sum[r]);
        }
    }
  }
}

// Floats of scratch the backward pass needs: kᵀ, vᵀ, dkᵀ and dvᵀ of one kv head, k's rows padded
// (see vector_rows), the key bias, the batch row's dmask (padded), and P and dS of a block.
static size_t backward_scratch_floats(size_t keys, size_t dim) { return padded_keys(keys) * (4 * dim + padded_dim(dim) + 2) + 2 * ROWS * KEY_BLOCK; }

// One row of a block: P = e^(S − lse) in place of the scores and dS = P ⊙ (dP − delta) in place of
// dP, added to dmask_row and then scaled by `scale`.
static void gradient_row(float *p, float *ds, float *dmask_row, size_t count, float lse, float delta, float scale) {
  vec l = vec_set1(lse), dl = vec_set1(delta), scale_v = vec_set1(scale);
  for (size_t j = 0; j < count; j += VEC_WIDTH) {
    vec pj = exp_or_zero(vec_sub(vec_loadu(p + j), l));
    vec dsj = vec_mul(pj, vec_sub(vec_loadu(ds + j), dl));
    vec_storeu(dmask_row + j, vec_add(vec_loadu(dmask_row + j), dsj));
    vec_storeu(p + j, pj), vec_storeu(ds + j, vec_mul(dsj, scale_v));
  }
}

static void backward(const attention_sizes *s, const float *dy, const float *q, const float *k, const float *v, const float *mask, const float *out,
                     const float *lse, float *dq, float *dk, float *dv, float *dmask, float *scratch) {
  size_t stride = padded_keys(s->keys), dim = s->dim, group = s->heads / s->kv_heads, pitch = padded_dim(dim);
  float *key_columns = scratch, *value_columns = key_columns + stride * dim, *dk_columns = value_columns + stride * dim;
  float *dv_columns = dk_columns + stride * dim, *padded_key_rows = dv_columns + stride * dim, *bias = padded_key_rows + stride * pitch;
  float *dmask_row = bias + stride, *p = dmask_row + stride, *ds = p + ROWS * KEY_BLOCK;
  row_scaling sum_up = {.fresh = 1};
  for (int r = 0; r < ROWS; r++) sum_up.before[r] = sum_up.after[r] = 1.0f;
  for (size_t b = 0; b < s->batch; b++) {
    key_bias(mask + b * s->keys, bias, s->keys, stride);
    memset(dmask_row, 0, stride * sizeof(float));
    for (size_t kv = 0; kv < s->kv_heads; kv++) {
      size_t kv_offset = (b * s->kv_heads + kv) * s->keys * dim;
      transpose_in(k + kv_offset, key_columns, s->keys, dim, stride);
      transpose_in(v + kv_offset, value_columns, s->keys, dim, stride);
      const float *key_rows = vector_rows(k + kv_offset, padded_key_rows, s->keys, dim);
      memset(dk_columns, 0, 2 * stride * dim * sizeof(float));
      for (size_t h = kv * group; h < (kv + 1) * group; h++)
        for (size_t i = 0; i < s->queries; i += ROWS) {
          query_block block = query_block_at(s, (b * s->heads + h) * s->queries, i);
          const float *q_rows[ROWS], *dy_rows[ROWS], *out_rows[ROWS];
          float *dq_rows[ROWS], delta[ROWS];
          block_rows(&block, q, dim, q_rows);
          block_rows(&block, dy, dim, dy_rows);
          block_rows(&block, out, dim, out_rows);
          block_rows(&block, dq, dim, (const float **)dq_rows);
          for (int r = 0; r < ROWS; r++) delta[r] = row_dot(dy_rows[r], out_rows[r], dim);
          for (size_t first = 0; first < block.seen; first += KEY_BLOCK) {
            size_t count = min_size(KEY_BLOCK, block.seen - first);
            block_scores(q_rows, key_columns + first, bias + first, stride, dim, first, count, block.last, s->scale, p);
            block_dots(dy_rows, value_columns + first, stride, dim, count, ds);
            for (size_t r = 0; r < ROWS; r++) {
              float *p_row = p + r * KEY_BLOCK, *ds_row = ds + r * KEY_BLOCK;
              // Rows past the last query weigh nothing.
              if (r >= block.rows) memset(p_row, 0, count * sizeof(float)), memset(ds_row, 0, count * sizeof(float));
              else gradient_row(p_row, ds_row, dmask_row + first, count, lse[block.first_row + r], delta[r], s->scale);
            }
            sum_up.fresh = first == 0;
            add_weighted_rows(dq_rows, block.rows, ds, key_rows + first * pitch, dim, pitch, min_size(count, s->keys - first), &sum_up);
            add_outer(dk_columns + first, stride, q_rows, ds, dim, count);
            add_outer(dv_columns + first, stride, dy_rows, p, dim, count);
          }
        }
      transpose_out(dk_columns, dk + kv_offset, s->keys, dim, stride);
      transpose_out(dv_columns, dv + kv_offset, s->keys, dim, stride);
    }
    memcpy(dmask + b * s->keys, dmask_row, s->keys * sizeof(float));
  }
}

const attention_kernel ATTENTION_KERNEL = {forward, forward_scratch_floats, backward, backward_scratch_floats};
