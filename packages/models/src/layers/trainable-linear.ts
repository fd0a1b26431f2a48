// Linear modules over tf.Variables, for a trainable copy of a base model (full fine-tuning).
// linear() and conv1d() pass gradients to their input only and multiply by an [in, out] matrix
// made once; these read their variables on every call, so gradients reach the weight and bias
// and an update shows at once. They multiply by an [in, out] matrix as those do (an nn.Linear
// weight's transpose, taken per call), so a fresh copy computes exactly what its base computes.
import * as tf from "@tensorflow/tfjs"
import { multiplyRows, type Linear } from "./linear.ts"

/** A module over nn.Linear's weight variable [out, in] (and its bias); the variables stay their owner's to free. */
export const trainableLinear = (name: string, weight: tf.Variable<tf.Rank.R2>, bias?: tf.Tensor1D): Linear => ({
  name,
  shape: weight.shape,
  ...(bias && { bias }),
  readWeight: () => tf.clone(weight),
  apply: (x) => tf.tidy(() => multiplyRows(x, weight.transpose(), bias)),
  dispose: () => {},
})

/** A module over a weight variable stored [in, out] (GPT-2's Conv1D). */
export const trainableConv1d = (name: string, stored: tf.Variable<tf.Rank.R2>, bias?: tf.Tensor1D): Linear => ({
  name,
  shape: [stored.shape[1], stored.shape[0]],
  ...(bias && { bias }),
  storedTransposed: true,
  readWeight: () => stored.transpose(),
  apply: (x) => tf.tidy(() => multiplyRows(x, stored, bias)),
  dispose: () => {},
})
