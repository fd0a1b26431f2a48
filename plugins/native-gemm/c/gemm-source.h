// Reading an operand through a gemm_source (gemm.h) while the blocked GEMM packs it: float32
// values are read where they lie; a frozen weight kept as bf16 bits or NF4 codes is widened run by
// run into the packing loop's buffer, so it is dequantized once per panel and never whole. Included
// by blocked-gemm.h, after the variant defined lookup16 (sixteen NF4 codes looked up in a block's
// 16 scaled levels with its own instructions), so the decoding is compiled for each variant too.
#include <stdint.h>
#include <string.h>

#include "gemm.h"

// bitsandbytes' NF4 levels as float32 (the table @peftlab/models and the wasm packed kernel use).
static const float nf4_levels[16] = {
    -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f, -0.28444138169288635f, -0.18477343022823334f,
    -0.09105003625154495f, 0.0f, 0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
    0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
};

// bf16 values from `bytes` (little-endian, any alignment) widened by a shift into out[0 .. count).
static inline void decode_bf16(const uint8_t *bytes, size_t count, float *restrict out) {
  for (size_t i = 0; i < count; i++) {
    uint16_t half;
    memcpy(&half, bytes + 2 * i, sizeof half);
    uint32_t word = (uint32_t)half << 16;
    memcpy(out + i, &word, sizeof word);
  }
}

// NF4 elements [at, at + count) into out[0 .. count): per block, its 16 levels times its absmax
// (one float32 rounding each, as bitsandbytes and the JS dequantizer round), then a lookup per code.
static inline void decode_nf4(const gemm_source *source, size_t at, size_t count, float *restrict out) {
  const uint8_t *codes = source->data;
  for (size_t end = at + count; at < end;) {
    size_t block = at / source->block_size;
    size_t block_end = (block + 1) * source->block_size < end ? (block + 1) * source->block_size : end;
    float table[16] __attribute__((aligned(64)));
    for (int code = 0; code < 16; code++) table[code] = nf4_levels[code] * source->absmax[block];
    if (at & 1) *out++ = table[codes[at++ >> 1] & 15];
    for (; at + 16 <= block_end; at += 16, out += 16) lookup16(table, codes + (at >> 1), out);
    for (; at < block_end; at++) *out++ = table[at & 1 ? codes[at >> 1] & 15 : codes[at >> 1] >> 4];
  }
}

// Flattened elements [at, at + count) of `source` as float32: a pointer into the source itself
// when it holds float32, else the values decoded into `buffer` (room for `count` floats).
static inline const float *source_run(const gemm_source *source, size_t at, size_t count, float *restrict buffer) {
  switch (source->format) {
    case SOURCE_BF16:
      decode_bf16((const uint8_t *)source->data + 2 * at, count, buffer);
      return buffer;
    case SOURCE_NF4:
      decode_nf4(source, at, count, buffer);
      return buffer;
    default:
      return (const float *)source->data + at;
  }
}
