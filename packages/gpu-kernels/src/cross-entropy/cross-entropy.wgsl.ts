// Softmax cross-entropy of one row per workgroup, reading the logits once: each thread keeps an
// online (running max, sum of exp(logit - max)) pair over its stride of the row, and the pairs
// merge in shared memory. loss = max + log(sum) - logits[target]. tfjs's shader prologue declares
// the buffers logits, targets and result, the uniforms (shapes, ignoreIndex, NAN) and localIndex.
import { treeReduceWgsl } from "../shared/row-reduction.ts"

// Folds (max, sum) pair `from` into `into`: both sums rescaled to the larger max.
const mergePairs = (into: string, from: string): string => `
      let merged = max(rowMax[${into}], rowMax[${from}]);
      rowSum[${into}] = rowSum[${into}] * exp(rowMax[${into}] - merged) + rowSum[${from}] * exp(rowMax[${from}] - merged);
      rowMax[${into}] = merged;`

export const crossEntropyWgsl = (workgroupSize: number): string => `
var<workgroup> rowMax : array<f32, ${workgroupSize}>;
var<workgroup> rowSum : array<f32, ${workgroupSize}>;

fn main(index : i32) {
  let rows = uniforms.logitsShape[0];
  let vocab = uniforms.logitsShape[1];
  let row = index / ${workgroupSize};
  // A dispatch rounded up past the last row recomputes that row, without writing it.
  let clampedRow = min(row, rows - 1);
  let start = clampedRow * vocab;
  let label = targets[clampedRow];
  let ignored = label == uniforms.ignoreIndex;

  // The lowest finite float rather than -inf, so that merging two empty pairs gives no inf - inf.
  var runningMax = -3.402823e+38f;
  var runningSum = 0.0;
  // An ignored row's loss is 0 whatever its logits: its threads skip them.
  let end = select(vocab, 0, ignored);
  for (var col = i32(localIndex); col < end; col += ${workgroupSize}) {
    let logit = logits[start + col];
    if (logit > runningMax) {
      runningSum = runningSum * exp(runningMax - logit) + 1.0;
      runningMax = logit;
    } else {
      runningSum += exp(logit - runningMax);
    }
  }
  rowMax[localIndex] = runningMax;
  rowSum[localIndex] = runningSum;
  workgroupBarrier();
  ${treeReduceWgsl(workgroupSize, mergePairs)}

  if (row < rows && localIndex == 0u) {
    let inVocab = label >= 0 && label < vocab;
    let loss = rowMax[0] + log(rowSum[0]) - logits[start + clamp(label, 0, vocab - 1)];
    result[row] = select(select(uniforms.NAN, loss, inVocab), 0.0, ignored);
  }
}
`
