// Log-probabilities of chosen tokens without one [rows, vocab] logits tensor: the LM head runs on
// chunks of rows, each as many as one device binding holds in float32 logits (deviceBindingLimit,
// the limit the weight tiles use: 128 MiB on lavapipe, 1,048 rows of a 32k vocabulary), and each
// chunk is reduced to its rows' log-probabilities before the next. On webgpu a tensor over one
// binding fails validation, so 8 continuations of 256 tokens over a 32k vocabulary (262 MB of
// logits) could not be scored whole. Each row's logits and softmax are its own, so chunking
// changes no reduction; where there is no limit (cpu, wasm, tfjs-node) it is one chunk, as before.
import * as tf from "@tensorflow/tfjs"
import { deviceBindingLimit } from "@peftlab/gpu-kernels"
import { BindingLimitError, checkBinding } from "../device/binding-limit.ts"
import type { Linear } from "../layers/linear.ts"
import { targetLogProbs } from "./token-log-probs.ts"

/** Rows of float32 logits over `vocab` words that fit one binding (Infinity where there is no limit). */
export const logitRowsPerChunk = (vocab: number): number => {
  const limit = deviceBindingLimit()
  if (limit === undefined) return Infinity
  const rows = Math.floor(limit / (vocab * 4))
  if (rows < 1) throw new BindingLimitError(`one row of logits over ${vocab} words`, vocab * 4, limit)
  return rows
}

/** Refuses, with BindingLimitError, logits of `shape` (the last axis the vocabulary) returned as one tensor over the binding limit. */
export const checkLogitsFit = (shape: ReadonlyArray<number>): void =>
  checkBinding(`logits [${shape.join(", ")}]`, shape.reduce((a, b) => a * b, 4), "score only the positions needed, or through the chunked log-probabilities (headTargetLogProbs)")

/**
 * log p(targets) [batch, k] from `hidden` [batch, k, width] (the states the LM head reads) and
 * `targets` [batch, k], the head applied `chunkRows` rows at a time. Differentiable with respect
 * to `hidden` and any trainable weights of `head`.
 */
export const headTargetLogProbs = (head: Linear, hidden: tf.Tensor3D, targets: tf.Tensor2D, chunkRows = logitRowsPerChunk(head.shape[0])): tf.Tensor2D =>
  tf.tidy(() => {
    const [batch, k, width] = hidden.shape
    const rows = batch * k
    if (rows <= chunkRows) return targetLogProbs(head.apply(hidden) as tf.Tensor3D, targets)
    const [flatHidden, flatTargets] = [hidden.reshape([rows, 1, width]), targets.reshape([rows, 1])]
    const parts: Array<tf.Tensor2D> = []
    for (let start = 0; start < rows; start += chunkRows) {
      const size = Math.min(chunkRows, rows - start)
      // Each chunk in its own tidy: its logits go before the next chunk's are made.
      parts.push(tf.tidy(() => targetLogProbs(head.apply(flatHidden.slice([start, 0, 0], [size, 1, width])) as tf.Tensor3D, flatTargets.slice([start, 0], [size, 1]) as tf.Tensor2D)))
    }
    return tf.concat(parts, 0).reshape([batch, k]) as tf.Tensor2D
  })

/** The most likely token of each row of `hidden` [rows, width] (int32 [rows]): the LM head's argmax, `chunkRows` rows at a time. */
export const headArgMax = (head: Linear, hidden: tf.Tensor2D, chunkRows = logitRowsPerChunk(head.shape[0])): tf.Tensor1D =>
  tf.tidy(() => {
    const [rows, width] = hidden.shape
    if (rows <= chunkRows) return (head.apply(hidden) as tf.Tensor2D).argMax(-1).toInt() as tf.Tensor1D
    const parts: Array<tf.Tensor1D> = []
    for (let start = 0; start < rows; start += chunkRows) {
      const size = Math.min(chunkRows, rows - start)
      parts.push(tf.tidy(() => (head.apply(hidden.slice([start, 0], [size, width])) as tf.Tensor2D).argMax(-1).toInt() as tf.Tensor1D))
    }
    return tf.concat(parts) as tf.Tensor1D
  })
