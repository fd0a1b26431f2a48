// op(a) op(b) through the tile loop: a is [M, K] or, transposed, [K, M]; b is [K, N] or,
// transposed, [N, K]. The uniforms rows, cols and inner are M, N and K.
import { type TilePrecision, tileLoopWgsl } from "./tile-loop.wgsl.ts"

/** How a kernel reads the element at a flat index of its stored A, and of its stored B, as WGSL. */
export interface OperandValues {
  readonly a: (index: string) => string
  readonly b: (index: string) => string
}

const bufferValues: OperandValues = { a: (index) => `a[${index}]`, b: (index) => `b[${index}]` }

/** The tile loop's readers for op(a) op(b), with a and b stored row-major and read through `values`. */
export const matMulReaders = (transposeA: boolean, transposeB: boolean, values: OperandValues = bufferValues): string => `
fn innerSize() -> i32 { return uniforms.inner; }

fn readA(row : i32, k : i32) -> f32 {
  if (row >= uniforms.rows || k >= uniforms.inner) { return 0.0; }
  return ${values.a(transposeA ? "k * uniforms.rows + row" : "row * uniforms.inner + k")};
}

fn readB(k : i32, col : i32) -> f32 {
  if (k >= uniforms.inner || col >= uniforms.cols) { return 0.0; }
  return ${values.b(transposeB ? "col * uniforms.inner + k" : "k * uniforms.cols + col")};
}`

export const tiledMatMulWgsl = (transposeA: boolean, transposeB: boolean, precision: TilePrecision): string =>
  tileLoopWgsl({ readers: matMulReaders(transposeA, transposeB), aAlongK: !transposeA, bAlongK: transposeB, precision })
