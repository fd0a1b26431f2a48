// The chunked LM-head loss against log-softmax of the full logits (tokenLogProbs), whatever the
// chunking: the same losses, and the same gradient for the hidden states, to float32 rounding. On
// cpu from composed ops, on wasm from the plugin's cross-entropy kernel.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { crossEntropyWithGradKernelName } from "@peftlab/gpu-kernels"
import { beforeAll, describe, expect, it } from "vitest"
import { linear } from "../src/layers/linear.ts"
import { nextTokenLosses } from "../src/lm/next-token-losses.ts"
import { tokenLogProbs } from "../src/lm/token-log-probs.ts"
import { expectKernelsRun } from "./wasm-kernel-checks.ts"

const tolerance = 1e-5

describe.each([
  { name: "cpu", plugin: cpu, kernels: [] },
  { name: "wasm", plugin: wasm, kernels: [crossEntropyWithGradKernelName] },
])("nextTokenLosses on $name", ({ plugin, kernels }) => {
  beforeAll(() => plugin.setup())

  it("equals -tokenLogProbs of the full logits, in value and in the gradient for the hidden states, for uneven chunks", () => {
    tf.tidy(() => {
      const [batch, time, width, vocab] = [2, 5, 4, 11]
      const head = linear("lm_head", tf.randomNormal([vocab, width], 0, 1, "float32", 1) as tf.Tensor2D)
      const hidden = tf.randomNormal([batch, time, width], 0, 1, "float32", 2) as tf.Tensor3D
      const ids = tf.tensor2d([[3, 0, 10, 7, 7], [1, 2, 9, 4, 5]], [batch, time], "int32")
      const weights = tf.randomUniform([batch, time - 1], 0, 1, "float32", 3)
      const reference = (h: tf.Tensor) => tokenLogProbs(head.apply(h) as tf.Tensor3D, ids).neg()
      // 8 rows: one chunk, chunks of 3 (the last one shorter), and one row per chunk.
      for (const chunkRows of [256, 3, 1]) {
        const fused = (h: tf.Tensor) => expectKernelsRun(kernels, () => nextTokenLosses(head, h as tf.Tensor3D, ids, chunkRows))
        expect(fused(hidden).sub(reference(hidden)).abs().max().dataSync()[0], `losses, chunks of ${chunkRows}`).toBeLessThan(tolerance)
        const [fusedGrad, referenceGrad] = [fused, reference].map((f) => tf.grad((h: tf.Tensor) => f(h).mul(weights).sum())(hidden))
        expect(fusedGrad!.sub(referenceGrad!).abs().max().dataSync()[0], `gradient, chunks of ${chunkRows}`).toBeLessThan(tolerance)
      }
      head.dispose()
    })
  })
})
