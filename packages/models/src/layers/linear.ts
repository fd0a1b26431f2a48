// A linear projection, y = x Wᵀ (+ b), with W in nn.Linear's [out, in] layout. The model keeps
// these in a map by HF module name and looks them up on every forward pass, so an adapter
// (e.g. LoRA) can wrap or replace a module by name. This file has the interface and the modules
// over float32 tensors on the backend; frozen/frozen-linear.ts has those over host-held weights,
// and layers/projection.ts picks between them.
import * as tf from "@tensorflow/tfjs"

export interface Linear {
  /** HF module name, e.g. "model.layers.0.self_attn.q_proj". */
  readonly name: string
  /** [out, in]. */
  readonly shape: readonly [number, number]
  /** [out], when the module has a bias. */
  readonly bias?: tf.Tensor1D
  /** True when the checkpoint stores the weight [in, out] (GPT-2's Conv1D) rather than [out, in]. */
  readonly storedTransposed?: boolean
  /**
   * The weight [out, in] in float32, as a tensor the caller disposes: a handle on the module's
   * own tensor, or one widened from the stored bytes for this call.
   */
  readWeight(): tf.Tensor2D
  /** [..., in] -> [..., out]; differentiable with respect to x only (weight and bias are frozen). */
  apply(x: tf.Tensor): tf.Tensor
  /**
   * dy [rows, out] -> dy W [rows, in] without a float32 copy of W, where the module can (a weight
   * kept on the device in row tiles, device/device-linear.ts; a host-held NF4 or bf16 weight under
   * wasm's packed-weight kernel, frozen/frozen-linear.ts); otherwise callers multiply by readWeight().
   */
  multiplyByWeight?(dy: tf.Tensor2D): tf.Tensor2D
  /** Frees what this module allocated itself; never the checkpoint's tensors. */
  dispose(): void
}

/** x [..., in] times inByOut [in, out] (+ bias) -> [..., out]. */
export const multiplyRows = (x: tf.Tensor, inByOut: tf.Tensor2D, bias: tf.Tensor1D | undefined): tf.Tensor => {
  const [inFeatures, outFeatures] = inByOut.shape
  const product = tf.matMul(x.reshape([-1, inFeatures]) as tf.Tensor2D, inByOut)
  return (bias ? product.add(bias) : product).reshape([...x.shape.slice(0, -1), outFeatures])
}

// The forward pass multiplies by an [in, out] matrix, the layout tfjs-backend-wasm runs on
// XNNPACK (a matmul with either side transposed falls back to its scalar loop). The gradient
// dx = dy W reuses that matrix with transposeB rather than W itself: tfjs-backend-wasm keeps a
// packed copy of every matrix it multiplies by, cached by tensor, so multiplying by W too would
// hold a third copy of every weight; tfjs's own matMul gradient would transpose again.
const projection = (name: string, weight: tf.Tensor2D, inByOut: tf.Tensor2D, bias: tf.Tensor1D | undefined, owned: tf.Tensor2D, storedTransposed: boolean): Linear => {
  const [outFeatures, inFeatures] = weight.shape
  const project = tf.customGrad((x) => {
    const input = x as tf.Tensor
    return {
      value: multiplyRows(input, inByOut, bias),
      gradFunc: (dy) => tf.tidy(() => tf.matMul(dy.reshape([-1, outFeatures]) as tf.Tensor2D, inByOut, false, true).reshape(input.shape)),
    }
  })
  return {
    name,
    shape: [outFeatures, inFeatures],
    ...(bias && { bias }),
    ...(storedTransposed && { storedTransposed }),
    readWeight: () => tf.clone(weight),
    apply: (x) => tf.tidy(() => project(x)),
    dispose: () => owned.dispose(),
  }
}

/** A module over nn.Linear's weight [out, in]; it makes (and frees) the [in, out] copy the forward pass uses. */
export const linear = (name: string, weight: tf.Tensor2D, bias?: tf.Tensor1D): Linear => {
  const inByOut = tf.transpose(weight) as tf.Tensor2D
  return projection(name, weight, inByOut, bias, inByOut, false)
}

/**
 * A module over a weight stored [in, out] (GPT-2's Conv1D): the forward pass uses the stored
 * tensor as it is, and the [out, in] weight is a transposed copy this module makes and frees.
 */
export const conv1d = (name: string, stored: tf.Tensor2D, bias?: tf.Tensor1D): Linear => {
  const weight = tf.transpose(stored) as tf.Tensor2D
  return projection(name, weight, stored, bias, weight, true)
}
