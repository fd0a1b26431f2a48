// RMSNorm of one row per workgroup: x / sqrt(mean(x²) + eps) * weight. tfjs's shader prologue
// declares the buffers x, weight and result, the uniforms (x's shape, eps) and localIndex.
import { treeReduceWgsl } from "../shared/row-reduction.ts"

export const rmsNormWgsl = (workgroupSize: number): string => `
var<workgroup> partial : array<f32, ${workgroupSize}>;

fn main(index : i32) {
  let rows = uniforms.xShape[0];
  let cols = uniforms.xShape[1];
  let row = index / ${workgroupSize};
  // A dispatch rounded up past the last row recomputes that row, without writing it.
  let start = min(row, rows - 1) * cols;

  var sumOfSquares = 0.0;
  for (var col = i32(localIndex); col < cols; col += ${workgroupSize}) {
    let value = x[start + col];
    sumOfSquares += value * value;
  }
  partial[localIndex] = sumOfSquares;
  workgroupBarrier();
  ${treeReduceWgsl(workgroupSize, (into, from) => `partial[${into}] += partial[${from}];`)}

  let inverseRms = inverseSqrt(partial[0] / f32(cols) + uniforms.eps);
  if (row < rows) {
    for (var col = i32(localIndex); col < cols; col += ${workgroupSize}) {
      result[start + col] = x[start + col] * inverseRms * weight[col];
    }
  }
}
`
