// RMSNorm and its gradient over rows of x [rows, cols], each row one pass through memory, for
// tfjs's wasm backend. The module imports tfjs-wasm's own memory, so the pointers are the
// tensors' heap offsets: nothing is copied in or out (see ../rms-norm-module.ts).
//
// Forward: y = x · r · w, r = 1 / sqrt(mean(x²) + eps), in the order tfjs's composed ops round.
// Backward, with g = w · dy and x̂ = x · r: dx = r · (g − x̂ · mean(x̂ · g)) = r · g − x · r³ · mean(x · g),
// dw = Σ_rows dy · x̂. Σx² and Σx·g are summed in the same sweep of the row; the second sweep,
// which writes dx and adds to dw, reads the row back from cache.
#include <stdint.h>
#include <wasm_simd128.h>

#include "../../c/partial-vector.h"

// Σ x² over the row, in four f32x4 accumulators (then one, then the scalar tail).
static float sum_of_squares(const float *x, uint32_t cols) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  uint32_t c = 0;
  for (; c + 16 <= cols; c += 16) {
    v128_t v0 = wasm_v128_load(x + c), v1 = wasm_v128_load(x + c + 4), v2 = wasm_v128_load(x + c + 8), v3 = wasm_v128_load(x + c + 12);
    a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(v0, v0));
    a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(v1, v1));
    a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(v2, v2));
    a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(v3, v3));
  }
  for (; c + 4 <= cols; c += 4) {
    v128_t v = wasm_v128_load(x + c);
    a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(v, v));
  }
  if (c < cols) {
    v128_t v = load_partial(x + c, cols - c);
    a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(v, v));
  }
  return lane_sum(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)));
}

static float inverse_rms(float sum_of_squares, uint32_t cols, float eps) {
  return 1.0f / __builtin_sqrtf(sum_of_squares / (float)cols + eps);
}

__attribute__((export_name("rms_norm"))) void rms_norm(const float *x, const float *w, float *y, uint32_t rows, uint32_t cols, float eps) {
  for (uint32_t row = 0; row < rows; row++, x += cols, y += cols) {
    v128_t r = wasm_f32x4_splat(inverse_rms(sum_of_squares(x, cols), cols, eps));
    uint32_t c = 0;
    for (; c + 4 <= cols; c += 4) wasm_v128_store(y + c, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(x + c), r), wasm_v128_load(w + c)));
    if (c < cols) store_partial(y + c, wasm_f32x4_mul(wasm_f32x4_mul(load_partial(x + c, cols - c), r), load_partial(w + c, cols - c)), cols - c);
  }
}

// dx [rows, cols] and dw [cols] (overwritten) from dy and x [rows, cols] and w [cols].
__attribute__((export_name("rms_norm_grad"))) void rms_norm_grad(const float *dy, const float *x, const float *w, float *dx, float *dw, uint32_t rows,
                                                                 uint32_t cols, float eps) {
  for (uint32_t c = 0; c < cols; c++) dw[c] = 0.0f;
  for (uint32_t row = 0; row < rows; row++, dy += cols, x += cols, dx += cols) {
    v128_t squares = wasm_f32x4_splat(0.0f), dots = squares;
    uint32_t c = 0;
    for (; c + 4 <= cols; c += 4) {
      v128_t xv = wasm_v128_load(x + c);
      squares = wasm_f32x4_add(squares, wasm_f32x4_mul(xv, xv));
      dots = wasm_f32x4_add(dots, wasm_f32x4_mul(xv, wasm_f32x4_mul(wasm_v128_load(w + c), wasm_v128_load(dy + c))));
    }
    if (c < cols) {
      v128_t xv = load_partial(x + c, cols - c);
      squares = wasm_f32x4_add(squares, wasm_f32x4_mul(xv, xv));
      dots = wasm_f32x4_add(dots, wasm_f32x4_mul(xv, wasm_f32x4_mul(load_partial(w + c, cols - c), load_partial(dy + c, cols - c))));
    }
    float r = inverse_rms(lane_sum(squares), cols, eps);
    v128_t rv = wasm_f32x4_splat(r);
    // x · r³ · mean(x · g), the part of dx along x.
    v128_t along = wasm_f32x4_splat(r * r * r * (lane_sum(dots) / (float)cols));
    for (c = 0; c + 4 <= cols; c += 4) {
      v128_t xv = wasm_v128_load(x + c), dyv = wasm_v128_load(dy + c);
      v128_t g = wasm_f32x4_mul(dyv, wasm_v128_load(w + c));
      wasm_v128_store(dx + c, wasm_f32x4_sub(wasm_f32x4_mul(g, rv), wasm_f32x4_mul(xv, along)));
      wasm_v128_store(dw + c, wasm_f32x4_add(wasm_v128_load(dw + c), wasm_f32x4_mul(dyv, wasm_f32x4_mul(xv, rv))));
    }
    if (c < cols) {
      uint32_t tail = cols - c;
      v128_t xv = load_partial(x + c, tail), dyv = load_partial(dy + c, tail);
      v128_t g = wasm_f32x4_mul(dyv, load_partial(w + c, tail));
      store_partial(dx + c, wasm_f32x4_sub(wasm_f32x4_mul(g, rv), wasm_f32x4_mul(xv, along)), tail);
      store_partial(dw + c, wasm_f32x4_add(load_partial(dw + c, tail), wasm_f32x4_mul(dyv, wasm_f32x4_mul(xv, rv))), tail);
    }
  }
}
