// Rotary position embeddings fused with the split into heads, and the gradient, for tfjs's wasm
// backend: x [b, t, heads·d] -> y [b, heads, t, d] in one pass, where the composed ops gather two
// table rows per token, swap halves with a split and a concat, and transpose. The module imports
// tfjs-wasm's memory, so the pointers are the tensors' heap offsets (see ../rope-kernel.ts).
//
// For head vector x of token (b, t) at position p, with half = d / 2 and j = i ± half, i's partner
// in the other half (HF's rotate_half layout, its sign in the sin table):
//   y[i] = s · (x[i] cos[p, i] + x[j] sin[p, i])
// and the transpose, rotation by −angle given the table's signs:
//   dx[i] = g[i] cos[p, i] + g[j] sin[p, j], with g = s · dy.
// Each product is rounded before the sum, as the composed ops round them, so both agree bit for
// bit. The caller checks every position is within the tables' rows.
#include <stdint.h>
#include <wasm_simd128.h>

#include "../../c/partial-vector.h"

static inline v128_t load_n(const float *p, uint32_t count) { return count >= 4 ? wasm_v128_load(p) : load_partial(p, count); }

static inline void store_n(float *p, v128_t v, uint32_t count) {
  if (count >= 4) wasm_v128_store(p, v);
  else store_partial(p, v, count);
}

// One head vector, forward: out[i] = scale · (in[i] cos[i] + in[j] sin[i]); backward (`transposed`):
// out[i] = a[i] cos[i] + a[j] sin[j] with a = scale · in. i runs over the first half, j = i + half.
static inline void rotate_row(const float *in, const float *cos, const float *sin, float *out, uint32_t half, v128_t scale, int transposed) {
  for (uint32_t i = 0; i < half; i += 4) {
    uint32_t n = half - i;
    v128_t lo = load_n(in + i, n), hi = load_n(in + half + i, n);
    if (transposed) lo = wasm_f32x4_mul(lo, scale), hi = wasm_f32x4_mul(hi, scale);
    v128_t sin_lo = load_n(sin + i, n), sin_hi = load_n(sin + half + i, n);
    v128_t out_lo = wasm_f32x4_add(wasm_f32x4_mul(lo, load_n(cos + i, n)), wasm_f32x4_mul(hi, transposed ? sin_hi : sin_lo));
    v128_t out_hi = wasm_f32x4_add(wasm_f32x4_mul(hi, load_n(cos + half + i, n)), wasm_f32x4_mul(lo, transposed ? sin_lo : sin_hi));
    if (!transposed) out_lo = wasm_f32x4_mul(out_lo, scale), out_hi = wasm_f32x4_mul(out_hi, scale);
    store_n(out + i, out_lo, n);
    store_n(out + half + i, out_hi, n);
  }
}

// Head vector h of token (b, t): at (bt · heads + h) · d in the projection's layout, and at
// ((b · heads + h) · time + t) · d in the heads' layout.
static inline uint32_t heads_offset(uint32_t bt, uint32_t h, uint32_t time, uint32_t heads, uint32_t dim) {
  return (((bt / time) * heads + h) * time + bt % time) * dim;
}

// y [b, heads, t, d] from x [b, t, heads·d]; cos and sin [positions, d]; positions [b·t].
__attribute__((export_name("rope"))) void rope(const float *x, const float *cos, const float *sin, const int32_t *positions, float *y, uint32_t batch,
                                                uint32_t time, uint32_t heads, uint32_t dim, float scale) {
  v128_t s = wasm_f32x4_splat(scale);
  for (uint32_t bt = 0; bt < batch * time; bt++) {
    uint32_t row = (uint32_t)positions[bt] * dim;
    for (uint32_t h = 0; h < heads; h++) rotate_row(x + (bt * heads + h) * dim, cos + row, sin + row, y + heads_offset(bt, h, time, heads, dim), dim / 2, s, 0);
  }
}

// dx [b, t, heads·d] from dy [b, heads, t, d].
__attribute__((export_name("rope_grad"))) void rope_grad(const float *dy, const float *cos, const float *sin, const int32_t *positions, float *dx, uint32_t batch,
                                                          uint32_t time, uint32_t heads, uint32_t dim, float scale) {
  v128_t s = wasm_f32x4_splat(scale);
  for (uint32_t bt = 0; bt < batch * time; bt++) {
    uint32_t row = (uint32_t)positions[bt] * dim;
    for (uint32_t h = 0; h < heads; h++) rotate_row(dy + heads_offset(bt, h, time, heads, dim), cos + row, sin + row, dx + (bt * heads + h) * dim, dim / 2, s, 1);
  }
}
