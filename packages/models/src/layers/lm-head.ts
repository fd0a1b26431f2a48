// The end of every language model's forward pass: the LM head over the final hidden states,
// or only over the positions asked for (see selectPositions). Logits that would exceed one
// device binding are refused with a typed error (see lm/logit-chunks.ts for what scores them).
import type * as tf from "@tensorflow/tfjs"
import { checkLogitsFit } from "../lm/logit-chunks.ts"
import type { Linear } from "./linear.ts"
import { selectPositions } from "./select-positions.ts"

export const lmHeadLogits = (head: Linear, hidden: tf.Tensor3D, outputPositions?: tf.Tensor2D): tf.Tensor3D => {
  const [batch, time] = outputPositions ? outputPositions.shape : hidden.shape
  checkLogitsFit([batch, time, head.shape[0]])
  return head.apply(outputPositions ? selectPositions(hidden, outputPositions) : hidden) as tf.Tensor3D
}
