// SwiGLU, silu(g) · u = g · sigmoid(g) · u, and its gradient, elementwise in one pass, for tfjs's
// wasm backend. The module imports tfjs-wasm's own memory, so the pointers are the tensors' heap
// offsets: nothing is copied in or out (see ../swiglu-module.ts).
//
// Backward, with s = sigmoid(g): dg = dy · u · s · (1 + g · (1 − s)), du = dy · g · s.
// exp is ../../c/exp-f32x4.h (Cephes' expf in f32x4), since the module has no libc.
#include <stdint.h>
#include <wasm_simd128.h>

#include "../../c/exp-f32x4.h"
#include "../../c/partial-vector.h"

static inline v128_t sigmoid_f32x4(v128_t g) {
  v128_t one = wasm_f32x4_splat(1.0f);
  return wasm_f32x4_div(one, wasm_f32x4_add(one, exp_f32x4(wasm_f32x4_neg(g))));
}

static inline v128_t swiglu_f32x4(v128_t g, v128_t u) { return wasm_f32x4_mul(wasm_f32x4_mul(g, sigmoid_f32x4(g)), u); }

// y[i] = silu(g[i]) · u[i] for i < size.
__attribute__((export_name("swiglu"))) void swiglu(const float *g, const float *u, float *y, uint32_t size) {
  uint32_t i = 0;
  for (; i + 4 <= size; i += 4) wasm_v128_store(y + i, swiglu_f32x4(wasm_v128_load(g + i), wasm_v128_load(u + i)));
  if (i < size) store_partial(y + i, swiglu_f32x4(load_partial(g + i, size - i), load_partial(u + i, size - i)), size - i);
}

// dg and du from the upstream gradient dy, for one f32x4 of g and u.
static inline void swiglu_grad_f32x4(v128_t dy, v128_t g, v128_t u, v128_t *dg, v128_t *du) {
  v128_t s = sigmoid_f32x4(g);
  v128_t one = wasm_f32x4_splat(1.0f);
  v128_t dsilu = wasm_f32x4_mul(s, wasm_f32x4_add(wasm_f32x4_mul(g, wasm_f32x4_sub(one, s)), one));
  *dg = wasm_f32x4_mul(wasm_f32x4_mul(dy, u), dsilu);
  *du = wasm_f32x4_mul(wasm_f32x4_mul(dy, g), s);
}

__attribute__((export_name("swiglu_grad"))) void swiglu_grad(const float *dy, const float *g, const float *u, float *dg, float *du, uint32_t size) {
  uint32_t i = 0;
  v128_t dgv, duv;
  for (; i + 4 <= size; i += 4) {
    swiglu_grad_f32x4(wasm_v128_load(dy + i), wasm_v128_load(g + i), wasm_v128_load(u + i), &dgv, &duv);
    wasm_v128_store(dg + i, dgv);
    wasm_v128_store(du + i, duv);
  }
  if (i < size) {
    uint32_t tail = size - i;
    swiglu_grad_f32x4(load_partial(dy + i, tail), load_partial(g + i, tail), load_partial(u + i, tail), &dgv, &duv);
    store_partial(dg + i, dgv, tail);
    store_partial(du + i, duv, tail);
  }
}
