// The LoRA linear's pass over its output: y = x Wᵀ + scale (x Aᵀ) Bᵀ is one product,
// [x | scale xa] [W | B]ᵀ, whose inner dimension runs over the in features (K), then the rank,
// with xa = x Aᵀ [rows, rank] computed beforehand. So the base product and the update accumulate in
// the same tile loop, and the output is written once. Buffers: x [rows, K], weight [cols, K],
// xa [rows, rank], loraB [cols, rank]; uniforms rows, cols, inner (K), rank and scale.
import { tileLoopWgsl } from "../tiled-matmul/tile-loop.wgsl.ts"

export const loraLinearWgsl = (): string =>
  tileLoopWgsl({
    readers: `
fn innerSize() -> i32 { return uniforms.inner + uniforms.rank; }

fn readA(row : i32, k : i32) -> f32 {
  if (row >= uniforms.rows || k >= innerSize()) { return 0.0; }
  if (k < uniforms.inner) { return x[row * uniforms.inner + k]; }
  return uniforms.scale * xa[row * uniforms.rank + k - uniforms.inner];
}

fn readB(k : i32, col : i32) -> f32 {
  if (k >= innerSize() || col >= uniforms.cols) { return 0.0; }
  if (k < uniforms.inner) { return weight[col * uniforms.inner + k]; }
  return loraB[col * uniforms.rank + k - uniforms.inner];
}`,
    aAlongK: true,
    bAlongK: true,
  })
