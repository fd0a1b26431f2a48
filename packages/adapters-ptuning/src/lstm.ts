// torch.nn.LSTM(bidirectional=True, batch_first=True) over one sequence, as PEFT's LSTM prompt
// encoder runs it on the virtual tokens: per layer a forward and a reversed pass whose outputs are
// concatenated, dropout on every layer's output but the last while training. Weights keep torch's
// layout and gate order (input, forget, cell, output), so PEFT's parameters plug in as they are.
import * as tf from "@tensorflow/tfjs"

/** One direction's weights of one layer: weight_ih [4h, in], weight_hh [4h, h], bias_ih and bias_hh [4h]. */
export interface LstmDirection {
  readonly weightIh: tf.Tensor
  readonly weightHh: tf.Tensor
  readonly biasIh: tf.Tensor
  readonly biasHh: tf.Tensor
}

/** One direction over x [T, in]: the hidden states [T, h] in x's order. */
const runDirection = (x: tf.Tensor2D, w: LstmDirection, reverse: boolean): tf.Tensor2D => {
  const steps = x.shape[0]
  const hidden = w.weightHh.shape[1] as number
  // Every step's input part at once: [T, 4h].
  const inputs = x.matMul(w.weightIh as tf.Tensor2D, false, true).add(w.biasIh).add(w.biasHh)
  let h: tf.Tensor2D = tf.zeros([1, hidden])
  let c: tf.Tensor2D = tf.zeros([1, hidden])
  const outputs: tf.Tensor2D[] = new Array(steps)
  for (let k = 0; k < steps; k++) {
    const t = reverse ? steps - 1 - k : k
    const gates = inputs.slice([t, 0], [1, 4 * hidden]).add(h.matMul(w.weightHh as tf.Tensor2D, false, true))
    const [i, f, g, o] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
    c = tf.sigmoid(f).mul(c).add(tf.sigmoid(i).mul(tf.tanh(g)))
    h = tf.sigmoid(o).mul(tf.tanh(c))
    outputs[t] = h
  }
  return tf.concat(outputs, 0)
}

/**
 * The stacked bidirectional LSTM's output [T, 2h] for x [T, in]; `layers[l]` holds layer l's
 * forward and reversed weights. `dropout` (a rate and a seed per call) applies between layers.
 * Tensors are left to the caller's tidy.
 */
export const bidirectionalLstm = (
  x: tf.Tensor2D,
  layers: ReadonlyArray<{ readonly forward: LstmDirection; readonly reverse: LstmDirection }>,
  dropout?: { readonly rate: number; readonly seed: () => number },
): tf.Tensor2D =>
  layers.reduce((input, layer, l) => {
    const dropped = l > 0 && dropout !== undefined && dropout.rate > 0 ? (tf.dropout(input, dropout.rate, undefined, dropout.seed()) as tf.Tensor2D) : input
    return tf.concat([runDirection(dropped, layer.forward, false), runDirection(dropped, layer.reverse, true)], 1)
  }, x)
