// A bias-free linear projection, y = x Wᵀ, with W in nn.Linear's [out, in] layout as stored in
// the checkpoint. The model keeps these in a map by HF module name and looks them up on every
// forward pass, so an adapter (e.g. LoRA) can wrap or replace a module by name.
import * as tf from "@tensorflow/tfjs"

export interface Linear {
  /** HF module name, e.g. "model.layers.0.self_attn.q_proj". */
  readonly name: string
  /** [out, in], the checkpoint tensor (owned by the model's parameters). */
  readonly weight: tf.Tensor2D
  /** [..., in] -> [..., out]; differentiable with respect to x only (the weight is frozen). */
  apply(x: tf.Tensor): tf.Tensor
  /** Frees what this module allocated itself; never `weight`. */
  dispose(): void
}

export const linear = (name: string, weight: tf.Tensor2D): Linear => {
  // The wasm backend multiplies by a plain [in, out] matrix about 8x faster than with
  // matMul's transpose flags (cpu is no slower). So the forward pass uses a transposed copy
  // made once, and the gradient dx = dy W uses W as stored; tfjs's own matMul gradient
  // would multiply by the transpose again.
  const transposed = tf.transpose(weight) as tf.Tensor2D
  const [outFeatures, inFeatures] = weight.shape
  const project = tf.customGrad((x) => {
    const input = x as tf.Tensor
    const rows = input.reshape([-1, inFeatures]) as tf.Tensor2D
    return {
      value: tf.matMul(rows, transposed).reshape([...input.shape.slice(0, -1), outFeatures]),
      gradFunc: (dy) => tf.matMul(dy.reshape([-1, outFeatures]) as tf.Tensor2D, weight).reshape(input.shape),
    }
  })
  return { name, weight, apply: (x) => tf.tidy(() => project(x)), dispose: () => transposed.dispose() }
}
