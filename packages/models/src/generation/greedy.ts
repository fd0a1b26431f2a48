// Greedy decoding, shared by every language model kind: each step picks the most likely next
// token of every row; a row stops at an end-of-sequence id, and the loop stops when every row
// has (or after maxNewTokens). Token ids are read back asynchronously, so it runs on webgpu too.
// Each step applies the LM head to the last position's hidden states only, in chunks of rows
// whose logits fit one device binding (headArgMax): no [batch, time, vocab] logits are built.
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "../layers/linear.ts"
import { headArgMax } from "../lm/logit-chunks.ts"

export interface GreedyOptions {
  readonly maxNewTokens: number
  /** Ids that end a row; the id itself is not part of the output. Defaults to the model's. */
  readonly eosTokenIds?: ReadonlyArray<number>
  /** Reuse keys and values of earlier positions (default) or rerun the whole sequence each step. */
  readonly useCache?: boolean
}

/**
 * Runs `step` up to maxNewTokens times. `step(previous)` returns the next token of every row,
 * int32 [batch] (see greedyTokens): with `previous` undefined for the first step, then with the
 * tokens just chosen.
 */
export const greedyLoop = async (
  batch: number,
  maxNewTokens: number,
  eosTokenIds: ReadonlyArray<number>,
  step: (previous: Int32Array | undefined) => tf.Tensor1D,
): Promise<number[][]> => {
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new RangeError(`maxNewTokens must be a positive integer, got ${maxNewTokens}`)
  const outputs: number[][] = Array.from({ length: batch }, () => [])
  const finished = new Array<boolean>(batch).fill(false)
  let previous: Int32Array | undefined
  for (let i = 0; i < maxNewTokens && !finished.every(Boolean); i++) {
    const next = tf.tidy(() => step(previous))
    previous = (await next.data()) as Int32Array
    next.dispose()
    previous.forEach((token, row) => {
      if (finished[row]) return
      if (eosTokenIds.includes(token)) finished[row] = true
      else outputs[row]!.push(token)
    })
  }
  return outputs
}

/** [batch, 1] int32 from the tokens chosen last. */
export const lastTokens = (tokens: Int32Array): tf.Tensor2D => tf.tensor2d(tokens, [tokens.length, 1], "int32")

/** The most likely next token of every row, int32 [batch], from the final hidden states [batch, time, width] (as the LM head reads them) at the last position. */
export const greedyTokens = (head: Linear | undefined, hidden: tf.Tensor3D): tf.Tensor1D =>
  tf.tidy(() => {
    if (!head) throw new Error("greedy generation needs the model's lm_head module")
    const [batch, time, width] = hidden.shape
    return headArgMax(head, hidden.slice([0, time - 1, 0], [batch, 1, width]).reshape([batch, width]))
  })
