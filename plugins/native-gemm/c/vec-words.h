// The words of attention-source.h's vector vocabulary that every x86 vector ISA spells the same
// way, declared once: VEC_WORDS(_mm256) defines vec_zero, vec_set1, vec_loadu, vec_storeu,
// vec_add, vec_sub, vec_mul, vec_max, vec_min and vec_first on _mm256_setzero_ps, _mm256_set1_ps
// and so on (`vec` must be the ISA's float vector type). Each variant (attention-avx512.c,
// -avx2.c, -sse2.c) writes by hand only what its ISA spells its own way: FMA, partial loads and
// stores, lane masks and horizontal reductions.
#ifndef PEFTLAB_VEC_WORDS_H
#define PEFTLAB_VEC_WORDS_H

#define VEC_BINARY_WORD(name, intrinsic) \
  static inline vec vec_##name(vec x, vec y) { return intrinsic(x, y); }

#define VEC_WORDS(prefix)                                                           \
  static inline vec vec_zero(void) { return prefix##_setzero_ps(); }                \
  static inline vec vec_set1(float x) { return prefix##_set1_ps(x); }               \
  static inline vec vec_loadu(const float *at) { return prefix##_loadu_ps(at); }    \
  static inline void vec_storeu(float *at, vec x) { prefix##_storeu_ps(at, x); }    \
  static inline float vec_first(vec x) { return prefix##_cvtss_f32(x); }            \
  VEC_BINARY_WORD(add, prefix##_add_ps)                                             \
  VEC_BINARY_WORD(sub, prefix##_sub_ps)                                             \
  VEC_BINARY_WORD(mul, prefix##_mul_ps)                                             \
  VEC_BINARY_WORD(max, prefix##_max_ps)                                             \
  VEC_BINARY_WORD(min, prefix##_min_ps)

#endif
