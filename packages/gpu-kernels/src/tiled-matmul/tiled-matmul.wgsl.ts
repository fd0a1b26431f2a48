// op(a) op(b) through the tile loop: a is [M, K] or, transposed, [K, M]; b is [K, N] or,
// transposed, [N, K]. The uniforms rows, cols and inner are M, N and K.
import { tileLoopWgsl } from "./tile-loop.wgsl.ts"

export const tiledMatMulWgsl = (transposeA: boolean, transposeB: boolean): string =>
  tileLoopWgsl({
    readers: `
fn innerSize() -> i32 { return uniforms.inner; }

fn readA(row : i32, k : i32) -> f32 {
  if (row >= uniforms.rows || k >= uniforms.inner) { return 0.0; }
  return a[${transposeA ? "k * uniforms.rows + row" : "row * uniforms.inner + k"}];
}

fn readB(k : i32, col : i32) -> f32 {
  if (k >= uniforms.inner || col >= uniforms.cols) { return 0.0; }
  return b[${transposeB ? "col * uniforms.inner + k" : "k * uniforms.cols + col"}];
}`,
    aAlongK: !transposeA,
    bAlongK: transposeB,
  })
