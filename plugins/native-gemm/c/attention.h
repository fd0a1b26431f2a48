// What the N-API binding (addon.c) needs to know of the three instruction-set variants of fused
// attention (attention-avx512.c, attention-avx2.c, attention-sse2.c, one algorithm in
// attention-source.h): like the GEMM's, each is compiled with its own -m flags and only called
// after the CPU said it has them, so this header uses no intrinsics.
#ifndef PEFTLAB_NATIVE_ATTENTION_H
#define PEFTLAB_NATIVE_ATTENTION_H

#include <stddef.h>

// q, out, dy [batch, heads, queries, dim]; k, v [batch, kv_heads, keys, dim], query head h reading
// kv head h / (heads / kv_heads); mask [batch, keys] added to every score of its batch row; with
// causal, query i sees keys j <= past + i. kv_heads divides heads; keys and dim are at least 1.
typedef struct {
  size_t batch, heads, kv_heads, queries, keys, dim, past;
  int causal;
  float scale;
} attention_sizes;

// out = softmax(scale q kᵀ + mask) v and lse [batch, heads, queries], each row's log-sum-exp.
typedef void attention_forward(const attention_sizes *sizes, const float *q, const float *k, const float *v, const float *mask, float *out,
                               float *lse, float *scratch);

// The gradients dq, dk, dv and dmask of Σ dy ⊙ out, from the forward's out and lse.
typedef void attention_backward(const attention_sizes *sizes, const float *dy, const float *q, const float *k, const float *v, const float *mask,
                                const float *out, const float *lse, float *dq, float *dk, float *dv, float *dmask, float *scratch);

// A variant: each pass takes a scratch buffer of *_scratch_floats(keys, dim) floats, 64-byte aligned.
typedef struct {
  attention_forward *forward;
  size_t (*forward_scratch_floats)(size_t keys, size_t dim);
  attention_backward *backward;
  size_t (*backward_scratch_floats)(size_t keys, size_t dim);
} attention_kernel;

extern const attention_kernel attention_avx512, attention_avx2, attention_sse2;

#endif
