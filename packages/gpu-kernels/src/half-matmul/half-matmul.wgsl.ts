// x op(W) through the tile loop, W read from its packed 16-bit words and decoded as each tile is
// staged: W never exists in float32 outside the workgroup's 32×32 tile. Buffers: x [rows, K] and
// words (see half-weight.ts); uniforms rows, cols, inner (K). op(W) is Wᵀ for W [cols, K] (the
// forward pass of nn.Linear's [out, in] weight) or W itself for W [K, cols] (the gradient dy W).
// Sums in f32, as the host path's matmul does.
import { tileLoopWgsl } from "../tiled-matmul/tile-loop.wgsl.ts"
import { matMulReaders } from "../tiled-matmul/tiled-matmul.wgsl.ts"
import { halfDecodeWgsl } from "./half-decode.wgsl.ts"
import type { HalfStorage } from "./half-weight.ts"

export const halfMatMulWgsl = (storage: HalfStorage, transposeWeight: boolean): string =>
  tileLoopWgsl({
    readers: `
${halfDecodeWgsl(storage, "words", "weightAt")}
${matMulReaders(false, transposeWeight, { a: (index) => `x[${index}]`, b: (index) => `weightAt(${index})` })}`,
    aAlongK: true,
    bAlongK: transposeWeight,
  })
