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
  /** Frees what this module allocated itself; never `weight` or `bias`. */
  dispose(): void
}

export const linear = (name: string, weight: tf.Tensor2D, bias?: tf.Tensor1D): Linear => {
  // The wasm backend multiplies by a plain [in, out] matrix about 8x faster than with
  // matMul's transpose flags (cpu is no slower). So the forward pass uses a transposed copy
  // made once, and the gradient dx = dy W uses W as stored; tfjs's own matMul gradient
  // would multiply by the transpose again.
  const transposed = tf.transpose(weight) as tf.Tensor2D
  const [outFeatures, inFeatures] = weight.shape
  const project = tf.customGrad((x) => {
    const input = x as tf.Tensor
    const rows = input.reshape([-1, inFeatures]) as tf.Tensor2D
    const product = tf.matMul(rows, transposed)
    return {
      value: (bias ? product.add(bias) : product).reshape([...input.shape.slice(0, -1), outFeatures]),
      gradFunc: (dy) => tf.matMul(dy.reshape([-1, outFeatures]) as tf.Tensor2D, weight).reshape(input.shape),
    }
  })
  return { name, weight, ...(bias && { bias }), apply: (x) => tf.tidy(() => project(x)), dispose: () => transposed.dispose() }
}
