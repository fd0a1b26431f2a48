// A linear projection, y = x Wᵀ (+ b), with W in nn.Linear's [out, in] layout. The model keeps
// these in a map by HF module name and looks them up on every forward pass, so an adapter
// (e.g. LoRA) can wrap or replace a module by name.
import * as tf from "@tensorflow/tfjs"

export interface Linear {
  /** HF module name, e.g. "model.layers.0.self_attn.q_proj". */
  readonly name: string
  /** [out, in]: the checkpoint tensor, or for checkpoints stored [in, out] (GPT-2's Conv1D) its transpose. */
  readonly weight: tf.Tensor2D
  /** [out], when the module has a bias. */
  readonly bias?: tf.Tensor1D
  /** [..., in] -> [..., out]; differentiable with respect to x only (weight and bias are frozen). */
  apply(x: tf.Tensor): tf.Tensor
  /** Frees what this module allocated itself; never the checkpoint's tensors. */
  dispose(): void
}

// The forward pass multiplies by an [in, out] matrix, the layout tfjs-backend-wasm runs on
// XNNPACK (cpu is no slower). The gradient dx = dy W reuses that matrix with transposeB rather
// than W itself: tfjs-backend-wasm keeps a packed copy of every matrix it multiplies by, cached
// by tensor, so multiplying by W too would hold a third copy of every weight (a SmolLM2-sized
// model would not fit in wasm's 4 GB heap); tfjs's own matMul gradient would transpose again.
const projection = (name: string, weight: tf.Tensor2D, inByOut: tf.Tensor2D, bias: tf.Tensor1D | undefined, owned: tf.Tensor2D): Linear => {
  const [outFeatures, inFeatures] = weight.shape
  const project = tf.customGrad((x) => {
    const input = x as tf.Tensor
    const rows = input.reshape([-1, inFeatures]) as tf.Tensor2D
    const product = tf.matMul(rows, inByOut)
    return {
      value: (bias ? product.add(bias) : product).reshape([...input.shape.slice(0, -1), outFeatures]),
      gradFunc: (dy) => tf.tidy(() => tf.matMul(dy.reshape([-1, outFeatures]) as tf.Tensor2D, inByOut, false, true).reshape(input.shape)),
    }
  })
  return { name, weight, ...(bias && { bias }), apply: (x) => tf.tidy(() => project(x)), dispose: () => owned.dispose() }
}

/** A module over nn.Linear's weight [out, in]; it makes (and frees) the [in, out] copy the forward pass uses. */
export const linear = (name: string, weight: tf.Tensor2D, bias?: tf.Tensor1D): Linear => {
  const inByOut = tf.transpose(weight) as tf.Tensor2D
  return projection(name, weight, inByOut, bias, inByOut)
}

/**
 * A module over a weight stored [in, out] (GPT-2's Conv1D): the forward pass uses the stored
 * tensor as it is, and `weight` is a transposed [out, in] copy this module makes and frees.
 */
export const conv1d = (name: string, stored: tf.Tensor2D, bias?: tf.Tensor1D): Linear => {
  const weight = tf.transpose(stored) as tf.Tensor2D
  return projection(name, weight, stored, bias, weight)
}
