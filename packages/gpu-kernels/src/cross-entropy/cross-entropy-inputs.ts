// What softmaxCrossEntropy and softmaxCrossEntropyWithGrad share about their inputs: the label
// that counts for nothing, and the checks of the logits and targets they take.
import * as tf from "@tensorflow/tfjs"

/** Hugging Face's (and PyTorch's) default label for positions that count for nothing. */
export const defaultIgnoreIndex = -100

/** The vocabulary size, once `op`'s logits [..., vocab] (float32) and targets [...] (int32) are checked. */
export const checkedVocab = (op: string, logits: tf.Tensor, targets: tf.Tensor): number => {
  const vocab = logits.shape.at(-1) ?? 0
  tf.util.assert(logits.dtype === "float32" && targets.dtype === "int32", () => `${op}: expected float32 logits and int32 targets, got ${logits.dtype} and ${targets.dtype}`)
  tf.util.assert(
    vocab > 0 && tf.util.arraysEqual(logits.shape.slice(0, -1), targets.shape),
    () => `${op}: targets [${targets.shape}] must be logits [${logits.shape}] without its last axis`,
  )
  return vocab
}
