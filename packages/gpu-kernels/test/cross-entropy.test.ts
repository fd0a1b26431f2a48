import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { expect, it } from "vitest"
import { crossEntropyKernelName } from "../src/cross-entropy/cross-entropy-kernel.ts"
import { defaultIgnoreIndex, softmaxCrossEntropy, softmaxCrossEntropyComposed } from "../src/index.ts"
import { describeOnBackends, expectKernelRun } from "./support/backends.ts"
import { errorRelativeToLargest, expectNoLeakForwardBackward, gradientValues } from "./support/gradients.ts"
import { expectScaledError, maxScaledError, normals, numericalGradient } from "./support/numbers.ts"
import { crossEntropyReference } from "./support/references.ts"

// Vocabularies of 1 to 5000: below, at and past the 64 and 256 threads of a workgroup.
const shapes: ReadonlyArray<readonly [number, number]> = [[1, 1], [3, 5], [4, 64], [5, 65], [3, 1000], [2, 4096], [3, 5000]]

// Targets drawn from the vocabulary, every third row ignored.
const someTargets = (rng: Rng, rows: number, vocab: number): Int32Array =>
  Int32Array.from({ length: rows }, (_, row) => (row % 3 === 1 ? defaultIgnoreIndex : rng.int(vocab)))

/** Random logits [rows, vocab] and targets, the reference's losses, and the magnitudes to measure errors against. */
const example = (rows: number, vocab: number) => {
  const rng = Rng.seeded(rows * 10_000 + vocab)
  const [values, labels] = [normals(rng, rows * vocab, 4), someTargets(rng, rows, vocab)]
  const want = crossEntropyReference(values, labels, defaultIgnoreIndex)
  // A row's loss is a difference of terms as large as its largest logit.
  const scale = Array.from(labels, (_, row) => 1 + Math.max(...Array.from(values.subarray(row * vocab, (row + 1) * vocab), Math.abs)))
  const [logits, targets] = [tf.tensor2d(values, [rows, vocab]), tf.tensor1d(labels, "int32")]
  return { logits, targets, want, scale, dispose: () => tf.dispose([logits, targets]) }
}

describeOnBackends("softmaxCrossEntropy", ({ name, runsKernels }) => {
  it.each(shapes)("matches the float64 reference for logits [%i, %i] within 1e-6 (1 + max |logit|)", async (rows, vocab) => {
    const { logits, targets, want, scale, dispose } = example(rows, vocab)
    const got = await expectKernelRun(crossEntropyKernelName, runsKernels, () => softmaxCrossEntropy(logits, targets).data())
    expectScaledError(`softmaxCrossEntropy on ${name} [${rows}, ${vocab}]`, "(1 + max |logit|)", got, want, scale, 1e-6)
    dispose()
  })

  it("has softmaxCrossEntropyComposed take tfjs's ops, to the same tolerance", async () => {
    const { logits, targets, want, scale, dispose } = example(5, 65)
    const got = await expectKernelRun(crossEntropyKernelName, false, () => softmaxCrossEntropyComposed(logits, targets).data())
    expect(maxScaledError(got, want, scale)).toBeLessThan(1e-6)
    dispose()
  })

  it("gives 0 for the ignore index, NaN for a target outside the vocabulary, and keeps the targets' shape", async () => {
    // Rows: [0, 0] -> ln 2; [ln 3, 0] with target 1 -> ln 4; then ignored; then target 2 of a vocabulary of 2.
    const logits = tf.tensor3d([[[0, 0], [Math.log(3), 0]], [[5, -5], [1, 2]]])
    const targets = tf.tensor2d([[0, 1], [-1, 2]], undefined, "int32")
    const loss = softmaxCrossEntropy(logits, targets, -1)
    expect(loss.shape).toEqual([2, 2])
    const got = Array.from(await loss.data())
    expect(maxScaledError(got.slice(0, 3), [Math.log(2), Math.log(4), 0], [1, 1, 1])).toBeLessThan(1e-6)
    expect(got[3]).toBeNaN()
    tf.dispose([logits, targets, loss])
  })

  it("differentiates like the float64 reference's central differences (0 on ignored rows), within 1e-5 of the largest gradient", async () => {
    const [rows, vocab] = [4, 70]
    const rng = Rng.seeded(4)
    const [values, labels, dy] = [normals(rng, rows * vocab, 2), someTargets(rng, rows, vocab), normals(rng, rows)]
    const [logits, targets, upstream] = [tf.tensor2d(values, [rows, vocab]), tf.tensor1d(labels, "int32"), tf.tensor1d(dy)]
    const [dLogits] = await expectKernelRun(crossEntropyKernelName, runsKernels, () =>
      gradientValues((l) => softmaxCrossEntropy(l!, targets), [logits], upstream),
    )
    const want = numericalGradient((v) => crossEntropyReference(v, labels, defaultIgnoreIndex), values, dy)
    const error = errorRelativeToLargest(dLogits!, want)
    console.log(`softmaxCrossEntropy gradient: max error / max |gradient| ${error.toExponential(2)}`)
    expect(error).toBeLessThan(1e-5)
    expect(Math.max(...Array.from(dLogits!.subarray(vocab, 2 * vocab), Math.abs))).toBe(0) // row 1 is ignored
    tf.dispose([logits, targets, upstream])
  })

  it("leaks no tensor, forward or backward", async () => {
    const [logits, targets] = [tf.randomNormal([6, 300]), tf.tensor1d([0, 1, -100, 3, 299, 5], "int32")]
    await expectNoLeakForwardBackward((l) => softmaxCrossEntropy(l!, targets), [logits])
    tf.dispose([logits, targets])
  })

  it("rejects targets that do not match the logits' leading axes", () => {
    const [logits, targets] = [tf.zeros([2, 3, 5]), tf.zeros([2], "int32")]
    expect(() => softmaxCrossEntropy(logits, targets)).toThrow("softmaxCrossEntropy: targets [2] must be logits [2,3,5] without its last axis")
    tf.dispose([logits, targets])
  })
})
