// The end of every language model's forward pass: the LM head over the final hidden states,
// or only over the positions asked for (see selectPositions).
import type * as tf from "@tensorflow/tfjs"
import type { Linear } from "./linear.ts"
import { selectPositions } from "./select-positions.ts"

export const lmHeadLogits = (head: Linear, hidden: tf.Tensor3D, outputPositions?: tf.Tensor2D): tf.Tensor3D =>
  head.apply(outputPositions ? selectPositions(hidden, outputPositions) : hidden) as tf.Tensor3D

