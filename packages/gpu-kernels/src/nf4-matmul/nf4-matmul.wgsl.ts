// x op(W) through the tile loop, W dequantized from NF4 as each tile of it is staged: W never
// exists in float32 outside the workgroup's 32×32 tile. Buffers: x [rows, K], codes (int32 words,
// 8 codes each, see nf4-weight.ts) and absmax (one scale per blockSize elements of W's flat
// row-major order); uniforms rows, cols, inner (K) and blockSize. op(W) is Wᵀ for W [cols, K]
// (the forward pass) or W itself for W [K, cols] (the gradient dy W).
import { nf4Levels } from "./nf4-levels.ts"
import { tileLoopWgsl } from "../tiled-matmul/tile-loop.wgsl.ts"
import { matMulReaders } from "../tiled-matmul/tiled-matmul.wgsl.ts"

export const nf4MatMulWgsl = (transposeWeight: boolean): string =>
  tileLoopWgsl({
    readers: `
// bitsandbytes' NF4 levels (nf4-levels.ts).
const nf4Levels = array<f32, 16>(${Array.from(nf4Levels, (level) => level.toString()).join(", ")});

// Element i of W: byte i >> 1 of the stream is byte (i >> 1) & 3 of word i >> 3, its code in the
// byte's high nibble when i is even.
fn dequantized(i : i32) -> f32 {
  let word = bitcast<u32>(codes[i >> 3]);
  let shift = u32(((i >> 1) & 3) * 8 + select(4, 0, (i & 1) == 1));
  return nf4Levels[(word >> shift) & 15u] * absmax[i / uniforms.blockSize];
}
${matMulReaders(false, transposeWeight, { a: (index) => `x[${index}]`, b: (index) => `dequantized(${index})` })}`,
    aAlongK: true,
    bAlongK: transposeWeight,
  })
