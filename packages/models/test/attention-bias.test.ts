// The additive attention bias as its callers see it: 0 where a query may attend, -1e9 where it
// may not, for causal order with the queries the last of the keys (a cache or prefix before
// them), a sliding window, and padded keys.
import * as tf from "@tensorflow/tfjs"
import { plugin } from "@peftlab/backend-wasm"
import { beforeAll, describe, expect, it } from "vitest"
import { attentionBias } from "../src/layers/attention-bias.ts"

// 1 = seen, 0 = blocked, from the bias [1 or b, 1, t, keys].
const seen = (bias: tf.Tensor4D): Array<Array<Array<number>>> => (bias.arraySync() as Array<Array<Array<Array<number>>>>).map((b) => b[0]!.map((row) => row.map((v) => (v === 0 ? 1 : v === -1e9 ? 0 : v))))

describe("attentionBias", () => {
  beforeAll(() => plugin.setup())

  it("lets query i, at key position keys - time + i, see the keys up to its own", () => {
    const bias = attentionBias(3, 5, { causal: true })
    expect(bias.shape).toEqual([1, 1, 3, 5])
    expect(seen(bias)).toEqual([[[1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]])
    bias.dispose()
  })

  it("keeps the last `window` keys of each query's own and earlier ones, and nothing for a window as long as the keys", () => {
    const windowed = attentionBias(4, 6, { causal: true, window: 2 })
    expect(seen(windowed)).toEqual([[[0, 1, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 1]]])
    const whole = attentionBias(4, 6, { causal: true, window: 6 })
    const causal = attentionBias(4, 6, { causal: true })
    expect(seen(whole)).toEqual(seen(causal))
    tf.dispose([windowed, whole, causal])
  })

  it("blocks padded keys for every query, with or without causal order", () => {
    const keyMask = tf.tensor2d([[1, 1, 1], [0, 1, 1]])
    const causal = attentionBias(2, 3, { causal: true, keyMask })
    expect(seen(causal)).toEqual([[[1, 1, 0], [1, 1, 1]], [[0, 1, 0], [0, 1, 1]]])
    const full = attentionBias(2, 3, { causal: false, keyMask })
    expect(seen(full)).toEqual([[[1, 1, 1], [1, 1, 1]], [[0, 1, 1], [0, 1, 1]]])
    tf.dispose([keyMask, causal, full])
  })
})
