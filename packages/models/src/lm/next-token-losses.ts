// The causal LM loss without the tape's share of the [batch, time, vocab] logits (Liger-Kernel's
// fused linear cross-entropy): the LM head runs on chunks of rows, and each chunk's forward
// pass also computes its gradient with respect to the logits (softmax - onehot), the one
// vocabulary-sized tensor kept for the backward pass (@peftlab/gpu-kernels'
// softmaxCrossEntropyWithGrad: one pass per row on wasm). tfjs's tape would keep the logits, the
// log-softmax's intermediates and a one-hot matrix: over a gigabyte for a 4x256 batch of a
// 49k-word model, most of wasm's 4 GB heap.
import * as tf from "@tensorflow/tfjs"
import { softmaxCrossEntropyWithGrad } from "@peftlab/gpu-kernels"
import type { Linear } from "../layers/linear.ts"
import { logitRowsPerChunk } from "./logit-chunks.ts"

/**
 * Rows of hidden states per chunk: 256 rows of a 49,152-word vocabulary are 50 MB of logits.
 * Fewer where 256 rows of logits would exceed one device binding (a 152k-word vocabulary on webgpu).
 */
export const defaultChunkRows = 256

/** Start and size of each chunk of `rows`. */
const chunksOf = (rows: number, chunkRows: number): Array<[number, number]> =>
  Array.from({ length: Math.ceil(rows / chunkRows) }, (_, i) => [i * chunkRows, Math.min(chunkRows, rows - i * chunkRows)])

/**
 * -log p(ids[:, t] | ids[:, <t]) for t = 1..T-1, as [batch, T-1] (tokenLogProbs negated), from
 * the final hidden states [batch, T, hidden] aligned with `ids` and the LM head `head`, which
 * must be frozen: the gradient reaches the hidden states only (dx = dlogits · W).
 */
export const nextTokenLosses = (head: Linear, hidden: tf.Tensor3D, ids: tf.Tensor2D, chunkRows = Math.min(defaultChunkRows, logitRowsPerChunk(head.shape[0]))): tf.Tensor2D =>
  tf.tidy(() => {
    const [batch, time, width] = hidden.shape
    const rows = batch * (time - 1)
    const targets = ids.slice([0, 1], [batch, time - 1]).toInt().reshape([rows]) as tf.Tensor1D
    const chunks = chunksOf(rows, chunkRows)
    const losses = tf.customGrad((...args) => {
      const [x, save] = args as unknown as [tf.Tensor2D, tf.GradSaveFunc]
      const perChunk = chunks.map(([start, size]) =>
        tf.tidy(() => softmaxCrossEntropyWithGrad(head.apply(x.slice([start, 0], [size, width])) as tf.Tensor2D, targets.slice([start], [size]))),
      )
      save(perChunk.map((chunk) => chunk.dLogits))
      return {
        value: tf.concat(perChunk.map((chunk) => chunk.losses)),
        gradFunc: (dy: tf.Tensor, dLogits: Array<tf.Tensor>) =>
          tf.tidy(() => {
            // dx = dlogits W, by the head itself where it multiplies W as stored (device tiles,
            // wasm's packed kernel: no float32 copy of it), else by W widened once for every chunk.
            const weight = head.multiplyByWeight ? undefined : head.readWeight()
            const times = (g: tf.Tensor2D) => (weight ? tf.matMul(g, weight) : head.multiplyByWeight!(g))
            return tf.concat(chunks.map(([start, size], i) => times(dLogits[i]!.mul(dy.slice([start], [size]).expandDims(1)) as tf.Tensor2D)))
          }),
      }
    })
    const inputs = hidden.slice([0, 0, 0], [batch, time - 1, width]).reshape([rows, width])
    return (losses(inputs) as tf.Tensor1D).reshape([batch, time - 1])
  })
