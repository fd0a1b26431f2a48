// @peftlab/gpu-kernels' softmaxCrossEntropyWithGrad (the causal LM loss's per-chunk work) on cpu,
// where it takes its composed tfjs ops, and on wasm, where it runs the wasm plugin's C kernel:
// losses and dlogits against a float64 reference within 1e-6 (1 + max |logit| of the row), since
// both are differences of terms as large as the row's largest logit, and the op against the
// composed path within the sum of their allowances. The composed path on wasm is allowed
// 1e-6 · vocab / 4096 past 4096 words: tfjs-wasm's Sum adds a row in one float32 accumulator
// (4.6e-6 at 49k words), where the kernel sums blocks in double. Rows include logits of ±80, all-equal logits,
// vocabularies that are not multiples of the kernel's 4 lanes and past its 1024-logit sum blocks,
// and targets equal to the ignore index or outside the vocabulary. On wasm, softmaxCrossEntropy
// (forward and gradient) runs the same C.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { Rng } from "@peftlab/core"
import {
  crossEntropyKernelName,
  crossEntropyWithGradKernelName,
  defaultIgnoreIndex,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithGrad,
  softmaxCrossEntropyWithGradComposed,
} from "@peftlab/gpu-kernels"
import { beforeAll, describe, expect, it } from "vitest"
import { expectKernelsRun } from "./wasm-kernel-checks.ts"

const tolerance = 1e-6

/** Losses and dlogits of float32 logits [rows, vocab] in float64, by the op's rules for ignored and out-of-vocabulary targets. */
const reference = (logits: Float32Array, targets: Int32Array, ignoreIndex: number) => {
  const vocab = logits.length / targets.length
  const losses = new Float64Array(targets.length)
  const dLogits = new Float64Array(logits.length)
  targets.forEach((target, row) => {
    if (target === ignoreIndex) return
    const x = logits.subarray(row * vocab, (row + 1) * vocab)
    const max = x.reduce((a, b) => Math.max(a, b), -Infinity)
    const sum = x.reduce((a, b) => a + Math.exp(b - max), 0)
    const inVocab = target >= 0 && target < vocab
    losses[row] = inVocab ? max + Math.log(sum) - x[target]! : Number.NaN
    x.forEach((value, col) => (dLogits[row * vocab + col] = Math.exp(value - max) / sum - (col === target ? 1 : 0)))
  })
  return { losses, dLogits }
}

/** max over elements of |got − want| / scale of the element's row; NaN where they disagree on NaN. */
const rowScaledError = (got: ArrayLike<number>, want: ArrayLike<number>, rowScales: ArrayLike<number>): number => {
  const perRow = got.length / rowScales.length
  let max = 0
  for (let i = 0; i < got.length; i++) {
    const [g, w] = [got[i]!, want[i]!]
    if (Number.isNaN(g) !== Number.isNaN(w)) return Number.NaN
    if (!Number.isNaN(w)) max = Math.max(max, Math.abs(g - w) / rowScales[Math.floor(i / perRow)]!)
  }
  return max
}

interface Example {
  readonly label: string
  readonly logits: Float32Array
  readonly targets: Int32Array
}

/** Normal logits of standard deviation 4; every fourth row's target ignored, one row's outside the vocabulary where there are 6 rows or more. */
const randomExample = (rows: number, vocab: number): Example => {
  const rng = Rng.seeded(rows * 100_003 + vocab)
  const logits = Float32Array.from({ length: rows * vocab }, () => 4 * rng.normal())
  const targets = Int32Array.from({ length: rows }, (_, row) => (row % 4 === 3 ? defaultIgnoreIndex : row === 5 ? vocab : rng.int(vocab)))
  return { label: `random [${rows}, ${vocab}]`, logits, targets }
}

/** Rows of ±80 (target on +80, on −80), all-equal logits, one +80 among −80s (loss ≈ 0), and targets −1 and vocab (NaN). */
const extremeExample = (vocab: number): Example => {
  const alternating = Array.from({ length: vocab }, (_, col) => (col % 2 === 0 ? 80 : -80))
  const spike = Array.from({ length: vocab }, (_, col) => (col === vocab - 1 ? 80 : -80))
  const rows = [alternating, alternating, Array<number>(vocab).fill(3), Array<number>(vocab).fill(-80), spike, alternating, spike]
  const targets = [0, 1, vocab - 1, 0, vocab - 1, -1, vocab]
  return { label: `extreme [${rows.length}, ${vocab}]`, logits: Float32Array.from(rows.flat()), targets: Int32Array.from(targets) }
}

const examples: ReadonlyArray<Example> = [
  ...[[1, 1], [3, 5], [8, 7], [6, 512], [4, 1031], [6, 4099], [2, 49_155]].map(([rows, vocab]) => randomExample(rows!, vocab!)),
  ...[2, 7, 512, 2051].map(extremeExample),
]

/** Checks `run`'s losses and dlogits against the reference within `limit`; returns them. */
const expectMatchesReference = (backend: string, { label, logits, targets }: Example, run: typeof softmaxCrossEntropyWithGrad, limit = tolerance) => {
  const vocab = logits.length / targets.length
  const { losses, dLogits } = run(tf.tensor2d(logits, [targets.length, vocab]), tf.tensor1d(targets, "int32"))
  const got = { losses: losses.dataSync(), dLogits: dLogits.dataSync() }
  const want = reference(logits, targets, defaultIgnoreIndex)
  const scales = Array.from(targets, (_, row) => 1 + logits.subarray(row * vocab, (row + 1) * vocab).reduce((a, b) => Math.max(a, Math.abs(b)), 0))
  const errors = [rowScaledError(got.losses, want.losses, scales), rowScaledError(got.dLogits, want.dLogits, scales)]
  console.log(`${run.name} on ${backend}, ${label}: error / (1 + max |logit|) of losses ${errors[0]!.toExponential(1)}, of dlogits ${errors[1]!.toExponential(1)}`)
  expect(errors[0], `${label}: losses`).toBeLessThan(limit)
  expect(errors[1], `${label}: dlogits`).toBeLessThan(limit)
  return { got, scales }
}

describe.each([
  { name: "cpu", plugin: cpu, kernels: [], composedLimit: () => tolerance },
  { name: "wasm", plugin: wasm, kernels: [crossEntropyWithGradKernelName], composedLimit: (vocab: number) => tolerance * Math.max(1, vocab / 4096) },
])("softmaxCrossEntropyWithGrad on $name", ({ name, plugin, kernels, composedLimit }) => {
  beforeAll(() => plugin.setup())

  it.each(examples)("matches the float64 reference and the composed ops: $label", (example) => {
    tf.tidy(() => {
      const fused = expectKernelsRun(kernels, () => expectMatchesReference(name, example, softmaxCrossEntropyWithGrad))
      const limit = composedLimit(example.logits.length / example.targets.length)
      const composed = expectMatchesReference(name, example, softmaxCrossEntropyWithGradComposed, limit)
      expect(rowScaledError(fused.got.losses, composed.got.losses, fused.scales)).toBeLessThan(tolerance + limit)
      expect(rowScaledError(fused.got.dLogits, composed.got.dLogits, fused.scales)).toBeLessThan(tolerance + limit)
    })
  })

  it("gives loss 0 and zero dlogits for a chosen ignore index inside the vocabulary, and keeps the inputs' shapes", () => {
    tf.tidy(() => {
      // [1, 2, 3] rows of a vocabulary of 3: targets 2 (ignored), 0 and 1.
      const logits = tf.tensor3d([[[0, 1, 2], [0, 0, Math.log(2)]], [[Math.log(3), 0, 0], [5, 5, 5]]])
      const targets = tf.tensor2d([[2, 0], [1, 2]], undefined, "int32")
      const { losses, dLogits } = expectKernelsRun(kernels, () => softmaxCrossEntropyWithGrad(logits, targets, 2))
      expect([losses.shape, dLogits.shape]).toEqual([[2, 2], [2, 2, 3]])
      const want = [0, Math.log(4), Math.log(5), 0]
      Array.from(losses.dataSync()).forEach((loss, i) => expect(loss).toBeCloseTo(want[i]!, 6))
      const wantGrads = [0, 0, 0, -0.75, 0.25, 0.5, 0.6, -0.8, 0.2, 0, 0, 0]
      Array.from(dLogits.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(wantGrads[i]!, 6))
    })
  })

  it("leaks no tensor", () => {
    const [logits, targets] = [tf.randomNormal([6, 37]), tf.tensor1d([0, 1, -100, 3, 36, 5], "int32")]
    const before = tf.memory().numTensors
    tf.dispose(Object.values(softmaxCrossEntropyWithGrad(logits, targets)))
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([logits, targets])
  })
})

describe("softmaxCrossEntropy on wasm", () => {
  beforeAll(() => wasm.setup())

  it("runs the C kernels forward and backward and matches the reference", () => {
    tf.tidy(() => {
      const { logits: values, targets: labels } = randomExample(6, 1031)
      const [logits, targets] = [tf.tensor2d(values, [6, 1031]), tf.tensor1d(labels, "int32")]
      const upstream = tf.tensor1d([1, -2, 0.5, 3, 1, 1])
      const [losses, dLogits] = expectKernelsRun([crossEntropyKernelName, crossEntropyWithGradKernelName], () => [
        softmaxCrossEntropy(logits, targets),
        tf.grad((l: tf.Tensor) => softmaxCrossEntropy(l, targets).mul(upstream).sum())(logits),
      ])
      const want = reference(values, labels, defaultIgnoreIndex)
      const scales = Array.from(labels, (_, row) => 1 + values.subarray(row * 1031, (row + 1) * 1031).reduce((a, b) => Math.max(a, Math.abs(b)), 0))
      expect(rowScaledError(losses!.dataSync(), want.losses, scales)).toBeLessThan(tolerance)
      // Row 5's target is outside the vocabulary: its loss is NaN, its gradient row dy times the softmax.
      const dy = upstream.dataSync()
      const wantGrads = want.dLogits.map((g, i) => g * dy[Math.floor(i / 1031)]!)
      expect(rowScaledError(dLogits!.dataSync(), wantGrads, scales.map((s, row) => s * Math.abs(dy[row]!)))).toBeLessThan(tolerance)
    })
  })
})
