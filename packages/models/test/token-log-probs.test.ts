import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { loadCausalLM, maskedNll, sequenceLogProb, tokenLogProbs } from "../src/index.ts"

// Logit rows chosen so the softmax is easy by hand:
// [0, 0, ln 2] -> [1/4, 1/4, 1/2];  [ln 3, 0, 0] -> [3/5, 1/5, 1/5];  [0, 0, 0] -> [1/3, 1/3, 1/3].
const logits = () =>
  tf.tensor3d([
    [[0, 0, Math.log(2)], [Math.log(3), 0, 0], [5, -5, 0]],
    [[0, 0, 0], [0, 0, Math.log(2)], [1, 2, 3]],
  ])
const ids = () => tf.tensor2d([[0, 2, 1], [1, 1, 0]], undefined, "int32")

describe("token log-probabilities", () => {
  it("scores token t+1 with the logits at position t", () => {
    const [l, i] = [logits(), ids()]
    const result = tokenLogProbs(l, i).arraySync()
    // seq 0: p(2 | row 0) = 1/2, p(1 | row 1) = 1/5; seq 1: p(1 | row 0) = 1/3, p(0 | row 1) = 1/4
    const expected = [[Math.log(1 / 2), Math.log(1 / 5)], [Math.log(1 / 3), Math.log(1 / 4)]]
    result.forEach((row, b) => row.forEach((v, t) => expect(v).toBeCloseTo(expected[b]![t]!, 5)))
    tf.dispose([l, i])
  })

  it("sums only the marked tokens per sequence, and averages them over the batch as the loss", () => {
    const [l, i] = [logits(), ids()]
    const target = tf.tensor2d([[0, 1, 1], [0, 0, 1]], undefined, "int32")
    const perSequence = sequenceLogProb(l, i, target).arraySync()
    expect(perSequence[0]).toBeCloseTo(Math.log(1 / 2) + Math.log(1 / 5), 5)
    expect(perSequence[1]).toBeCloseTo(Math.log(1 / 4), 5)
    const loss = maskedNll(l, i, target).arraySync()
    expect(loss).toBeCloseTo(-(Math.log(1 / 2) + Math.log(1 / 5) + Math.log(1 / 4)) / 3, 5)
    const none = tf.zerosLike(target) as tf.Tensor2D
    expect(maskedNll(l, i, none).arraySync()).toBeCloseTo(0, 10) // no marked tokens: zero, not NaN
    tf.dispose([l, i, target, none])
  })
})

describe("the label shift on a trained model (stories260k)", () => {
  interface Reference { readonly prompts: ReadonlyArray<{ readonly ids: ReadonlyArray<number>; readonly mean_nll: number }> }

  it("gives the reference mean NLL, and a variant shifted by one more position scores far worse", async () => {
    const dir = stories260kDir
    const reference = JSON.parse(readFileSync(join(dir, "reference_logits.json"), "utf8")) as Reference
    await tf.setBackend("cpu")
    const model = await Effect.runPromise(loadCausalLM(dir))
    for (const { ids, mean_nll } of reference.prompts) {
      const [right, shiftedTwice] = tf.tidy(() => {
        const input = tf.tensor2d([[...ids]], [1, ids.length], "int32")
        const logits = model.forward({ embeds: model.embed(input) })
        const all = tf.onesLike(input) as tf.Tensor2D
        // Scoring token t+2 with the logits at t: what an extra shift in the data would do.
        const later = tf.concat([input.slice([0, 1], [1, ids.length - 1]), tf.zeros([1, 1], "int32")], 1) as tf.Tensor2D
        const laterMask = tf.concat([tf.ones([1, ids.length - 1], "int32"), tf.zeros([1, 1], "int32")], 1) as tf.Tensor2D
        return [maskedNll(logits, input, all).dataSync()[0]!, maskedNll(logits, later, laterMask).dataSync()[0]!]
      })
      expect(Math.abs(right - mean_nll)).toBeLessThan(1e-4)
      expect(shiftedTwice).toBeGreaterThan(right + 2)
    }
    model.dispose()
  })
})
