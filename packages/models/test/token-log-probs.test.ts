import * as tf from "@tensorflow/tfjs"
import { describe, expect, it } from "vitest"
import { maskedNll, sequenceLogProb, tokenLogProbs } from "../src/index.ts"

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
