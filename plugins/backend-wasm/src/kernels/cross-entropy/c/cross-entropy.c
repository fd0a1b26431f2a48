// Softmax cross-entropy of each row of logits [rows, vocab] against int32 targets [rows], and its
// gradient for the logits, for tfjs's wasm backend, in tfjs-wasm's own memory (the pointers are
// tensors' heap offsets; see ../cross-entropy-kernel.ts). The causal LM loss runs it on every
// chunk of logits (@peftlab/models' nextTokenLosses), in place of ten composed tfjs ops.
//
// loss = (max − x[target]) + log Σ e^(x − max); dlogits = softmax(x) − onehot(target).
// The rules of @peftlab/gpu-kernels' softmaxCrossEntropy: a target equal to ignore_index gives
// loss 0 and a zero gradient row; one outside [0, vocab) gives loss NaN and, with no one-hot to
// subtract, the softmax as its gradient row.
//
// Per row: one pass for the max, one for e^(x − max) and its sum (the exponentials stored into
// dlogits), one scaling them by 1 / sum. Sums are taken in f32x4 over blocks of SUM_BLOCK logits
// and the blocks' sums in double, so a 49k-word row loses no more than a short one to rounding.
// exp is ../../c/exp-f32x4.h and log ../../c/log-f32.h, since the module has no libc.
#include <stdint.h>
#include <wasm_simd128.h>

#include "../../c/exp-f32x4.h"
#include "../../c/log-f32.h"
#include "../../c/partial-vector.h"

#define SUM_BLOCK 1024

// All ones in the low `count` lanes (count in 0..4), zeros above.
static inline v128_t low_lanes(uint32_t count) { return wasm_i32x4_gt(wasm_i32x4_splat((int32_t)count), wasm_i32x4_make(0, 1, 2, 3)); }

static float row_max(const float *x, uint32_t vocab) {
  v128_t even = wasm_f32x4_splat(-__builtin_inff()), odd = even;
  uint32_t i = 0;
  for (; i + 8 <= vocab; i += 8) {
    even = wasm_f32x4_pmax(even, wasm_v128_load(x + i));
    odd = wasm_f32x4_pmax(odd, wasm_v128_load(x + i + 4));
  }
  // The largest lane, by folding the halves and then the pairs onto lane 0.
  even = wasm_f32x4_pmax(even, odd);
  even = wasm_f32x4_pmax(even, wasm_i32x4_shuffle(even, even, 2, 3, 0, 1));
  even = wasm_f32x4_pmax(even, wasm_i32x4_shuffle(even, even, 1, 0, 3, 2));
  float max = wasm_f32x4_extract_lane(even, 0);
  for (; i < vocab; i++)
    if (x[i] > max) max = x[i];
  return max;
}

// Σ e^(x − max) over the row, each term also stored to exps[i] unless exps is 0 (the loss alone).
static inline __attribute__((always_inline)) double exp_sum(const float *x, float max, float *exps, uint32_t vocab) {
  v128_t shift = wasm_f32x4_splat(max);
  double total = 0.0;
  uint32_t i = 0;
  while (i + 4 <= vocab) {
    uint32_t block_end = i + SUM_BLOCK < vocab ? i + SUM_BLOCK : vocab;
    v128_t sum = wasm_f32x4_splat(0.0f);
    for (; i + 4 <= block_end; i += 4) {
      v128_t e = exp_f32x4(wasm_f32x4_sub(wasm_v128_load(x + i), shift));
      if (exps) wasm_v128_store(exps + i, e);
      sum = wasm_f32x4_add(sum, e);
    }
    total += lane_sum(sum);
  }
  if (i < vocab) {
    uint32_t tail = vocab - i;
    v128_t e = wasm_v128_and(exp_f32x4(wasm_f32x4_sub(load_partial(x + i, tail), shift)), low_lanes(tail));
    if (exps) store_partial(exps + i, e, tail);
    total += lane_sum(e);
  }
  return total;
}

static void scale(float *p, float by, uint32_t count) {
  v128_t factor = wasm_f32x4_splat(by);
  uint32_t i = 0;
  for (; i + 4 <= count; i += 4) wasm_v128_store(p + i, wasm_f32x4_mul(wasm_v128_load(p + i), factor));
  for (; i < count; i++) p[i] *= by;
}

static void zero(float *p, uint32_t count) {
  uint32_t i = 0;
  for (; i + 4 <= count; i += 4) wasm_v128_store(p + i, wasm_f32x4_splat(0.0f));
  for (; i < count; i++) p[i] = 0.0f;
}

// The losses, and where dlogits is not 0 the gradient rows, of every row.
static inline __attribute__((always_inline)) void cross_entropy_rows(const float *logits, const int32_t *targets, float *losses, float *dlogits, uint32_t rows,
                                                                     uint32_t vocab, int32_t ignore_index) {
  for (uint32_t row = 0; row < rows; row++) {
    const float *x = logits + row * vocab;
    float *dx = dlogits ? dlogits + row * vocab : 0;
    int32_t target = targets[row];
    if (target == ignore_index) {
      losses[row] = 0.0f;
      if (dx) zero(dx, vocab);
      continue;
    }
    float max = row_max(x, vocab);
    float sum = (float)exp_sum(x, max, dx, vocab);
    int in_vocab = target >= 0 && (uint32_t)target < vocab;
    losses[row] = in_vocab ? (max - x[target]) + log_scalar(sum) : __builtin_nanf("");
    if (dx) {
      scale(dx, 1.0f / sum, vocab);
      if (in_vocab) dx[target] -= 1.0f;
    }
  }
}

// losses[r] for each row r.
__attribute__((export_name("cross_entropy"))) void cross_entropy(const float *logits, const int32_t *targets, float *losses, uint32_t rows, uint32_t vocab,
                                                                 int32_t ignore_index) {
  cross_entropy_rows(logits, targets, losses, 0, rows, vocab, ignore_index);
}

// losses[r], and dlogits [rows, vocab] = softmax − onehot(target) (0 on ignored rows).
__attribute__((export_name("cross_entropy_with_grad"))) void cross_entropy_with_grad(const float *logits, const int32_t *targets, float *losses, float *dlogits,
                                                                                     uint32_t rows, uint32_t vocab, int32_t ignore_index) {
  cross_entropy_rows(logits, targets, losses, dlogits, rows, vocab, ignore_index);
}
