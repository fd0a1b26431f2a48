// A LoRA-wrapped linear module: y = x Wᵀ + scale * dropout(x) Aᵀ Bᵀ, with the base W frozen
// and A [r, in], B [out, r] trainable. B starts at zero, so the wrapped module starts out
// computing exactly what the base does. On webgpu, when no dropout applies, the base product and
// the update are @peftlab/gpu-kernels' fused loraLinear (x Aᵀ, then one pass writing the output once).
// With DoRA (use_dora, PEFT 0.21.2's DoraLinearLayer) a trainable magnitude m [out] rescales each
// output row: y = m / ‖W + scale B A‖ ⊙ (x Wᵀ + scale · x Aᵀ Bᵀ) (+ bias), the row norm taken
// on the detached combined weight. OLoRA's init (init.ts) holds W - scale B₀ A₀ as the frozen
// weight: a residual copy this module owns, never written into the base model, which other
// adapters share.
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"
import { loraLinear as fusedLoraLinear, loraLinearKernelName, usesWgslKernel } from "@peftlab/gpu-kernels"
import { isDeviceLinear, isNf4Linear, replayableSeed, type Linear } from "@peftlab/models"
import { gaussianLoraA, initialLoraA, oloraFactors, type LoraInit } from "./init.ts"

export interface LoraLinear extends Linear {
  /** The model's module this one wraps. */
  readonly base: Linear
  readonly loraA: tf.Variable<tf.Rank.R2>
  readonly loraB: tf.Variable<tf.Rank.R2>
  /** DoRA's magnitude [out] (PEFT's lora_magnitude_vector); absent for plain LoRA. */
  readonly magnitude?: tf.Variable<tf.Rank.R1>
  readonly scale: number
  readonly merged: boolean
  /** Dropout applies only while training is on. */
  training: boolean
  /**
   * Folds the update into a copy of the frozen weight and runs on that alone (faster inference;
   * no gradient reaches A, B or the magnitude while merged): W + scale B A, and with DoRA that
   * times m / ‖W + scale B A‖ per row, as PEFT's merge. The base's own tensor is never written to.
   */
  merge(): void
  /** Back to base + LoRA branch; the merged copy is dropped rather than subtracted from, so nothing drifts. */
  unmerge(): void
  /** Frees A, B, the magnitude, any residual and merged copy; never the base module or its weight. */
  dispose(): void
}

export interface LoraLinearOptions {
  readonly r: number
  readonly scale: number
  readonly dropout: number
  /** Draws A's initial values, then one dropout seed per training call. */
  readonly rng: Rng
  /** PEFT's init_lora_weights (default true: kaiming-uniform A, zero B). */
  readonly init?: LoraInit
  /** DoRA: the magnitude vector, initialised to the row norms of W + scale B A. */
  readonly useDora?: boolean
}

// A variable shares the initial tensor's data, so the tensor itself can go.
const trainableFrom = <R extends tf.Rank>(initial: tf.Tensor<R>): tf.Variable<R> => {
  const variable = tf.variable(initial, true) as tf.Variable<R>
  initial.dispose()
  return variable
}

/** The identity forward, no gradient back: DoRA's norm is a constant to backprop (section 4.3 of the paper, PEFT's .detach()). */
const detached = tf.customGrad((x) => ({ value: tf.clone(x as tf.Tensor), gradFunc: (dy) => tf.zerosLike(dy as tf.Tensor) })) as (x: tf.Tensor) => tf.Tensor

/** Row norms [out] of weight + scale * B A: PEFT's DoraLinearLayer.get_weight_norm. */
const rowNorms = (weight: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, scale: number): tf.Tensor1D =>
  tf.tidy(() => weight.add(tf.matMul(b, a).mul(scale)).square().sum(1).sqrt() as tf.Tensor1D)

/** The frozen factors and, for OLoRA, the residual weight [out, in] that replaces the base's. */
const initialFactors = (base: Linear, options: LoraLinearOptions): { a: tf.Tensor2D; b: tf.Tensor2D; residual?: tf.Tensor2D } => {
  const [outFeatures, inFeatures] = base.shape
  const init = options.init ?? true
  if (init === "olora") {
    return tf.tidy(() => {
      const weight = base.readWeight()
      const { a, b } = oloraFactors(weight, options.r)
      return { a, b, residual: weight.sub(tf.matMul(b, a).mul(options.scale)) as tf.Tensor2D }
    })
  }
  const a = init === "gaussian" ? gaussianLoraA(options.r, inFeatures, options.rng) : initialLoraA(options.r, inFeatures, options.rng)
  return { a, b: tf.zeros([outFeatures, options.r]) }
}

export const loraLinear = (model: Linear, options: LoraLinearOptions): LoraLinear => {
  if (options.init === "olora" && isNf4Linear(model)) {
    throw new RangeError(`${model.name}: init_lora_weights "olora" over an NF4 base is not supported (PEFT re-quantizes the residual weight; peftlab does not)`)
  }
  const factors = initialFactors(model, options)
  const loraA = trainableFrom(factors.a)
  const loraB = trainableFrom(factors.b)
  // OLoRA's frozen weight [out, in] and its [in, out] transpose, which the forward pass multiplies by.
  const residual = factors.residual && { weight: factors.residual, transposed: tf.transpose(factors.residual) as tf.Tensor2D }
  // The frozen weight in use, float32 [out, in], a tensor the caller disposes.
  const frozenWeight = (): tf.Tensor2D => (residual ? tf.clone(residual.weight) : model.readWeight())
  const magnitude = options.useDora
    ? trainableFrom(tf.tidy(() => rowNorms(frozenWeight(), loraA, loraB, options.scale)))
    : undefined
  // While merged: the folded weight [out, in], and its [in, out] transpose, which the forward
  // pass multiplies by (the same layout as the model's own modules, fast on wasm).
  let merged: { weight: tf.Tensor2D; transposed: tf.Tensor2D } | undefined
  // [..., in] -> [..., out]; `transposed` says whether `weight` is [in, out] rather than [out, in].
  const project = (x: tf.Tensor, weight: tf.Tensor2D, transposed = false): tf.Tensor => {
    const [from, to] = transposed ? weight.shape : [weight.shape[1], weight.shape[0]]
    return tf.matMul(x.reshape([-1, from]) as tf.Tensor2D, weight, false, !transposed).reshape([...x.shape.slice(0, -1), to])
  }
  /** x through the frozen weight, without bias. */
  const frozenProduct = (x: tf.Tensor): tf.Tensor => {
    if (residual) return project(x, residual.transposed, true)
    const product = model.apply(x)
    return model.bias ? product.sub(model.bias) : product
  }
  const withBias = (y: tf.Tensor): tf.Tensor => (model.bias ? y.add(model.bias) : y)

  const module: LoraLinear = {
    name: model.name,
    base: model,
    loraA,
    loraB,
    ...(magnitude && { magnitude }),
    scale: options.scale,
    shape: model.shape,
    ...(model.storedTransposed && { storedTransposed: true }),
    /** The weight in use: the frozen one (OLoRA's residual), or while merged, the copy with the update folded in. */
    readWeight: () => (merged ? tf.clone(merged.weight) : frozenWeight()),
    get bias() {
      return model.bias
    },
    get merged() {
      return merged !== undefined
    },
    training: false,
    apply: (x) =>
      tf.tidy(() => {
        if (merged !== undefined) return withBias(project(x, merged.transposed, true))
        const dropping = module.training && options.dropout > 0
        // QLoRA's base keeps its own 4-bit matmul, and a device-held base (bf16, f16, row tiles) its
        // own kernels: the fused kernel would need the weight widened to float32 on every call.
        if (!dropping && !magnitude && !residual && !isNf4Linear(model) && !isDeviceLinear(model) && usesWgslKernel(loraLinearKernelName)) {
          return withBias(fusedLoraLinear(x, { weight: model.readWeight(), loraA, loraB, scale: options.scale }))
        }
        const dropped = dropping ? tf.dropout(x, options.dropout, undefined, replayableSeed(() => options.rng.nextUint32())) : x
        const update = project(project(dropped, loraA), loraB).mul(options.scale)
        if (magnitude === undefined) return residual ? withBias(project(x, residual.transposed, true).add(update)) : model.apply(x).add(update)
        // DoRA as PEFT's DoraLinearVariant.forward: the base product of the dropped input while dropout
        // applies (of x itself otherwise), rescaled with the update by m / ‖W + scale B A‖ (norm detached).
        const norm = detached(rowNorms(frozenWeight(), loraA, loraB, options.scale))
        const factor = magnitude.div(norm)
        const plain = frozenProduct(x)
        const scaledBase = dropping ? frozenProduct(dropped) : plain
        return withBias(plain.add(scaledBase.mul(factor.sub(1))).add(update.mul(factor)))
      }),
    merge: () => {
      if (merged !== undefined) return
      const weight = tf.tidy(() => {
        const folded = frozenWeight().add<tf.Tensor2D>(tf.matMul(loraB, loraA).mul(options.scale))
        return magnitude ? (folded.mul(magnitude.div(folded.square().sum(1).sqrt()).expandDims(1)) as tf.Tensor2D) : folded
      })
      merged = { weight, transposed: tf.transpose(weight) }
    },
    unmerge: () => {
      if (merged !== undefined) tf.dispose([merged.weight, merged.transposed])
      merged = undefined
    },
    dispose: () => {
      module.unmerge()
      tf.dispose([loraA, loraB, ...(magnitude ? [magnitude] : []), ...(residual ? [residual.weight, residual.transposed] : [])])
    },
  }
  return module
}
