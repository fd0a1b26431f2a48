// A LoRA-wrapped linear module: y = x Wᵀ + scale * dropout(x) Aᵀ Bᵀ, with the base W frozen
// and A [r, in], B [out, r] trainable. B starts at zero, so the wrapped module starts out
// computing exactly what the base does. On webgpu, when no dropout applies, the base product and
// the update are @peftlab/gpu-kernels' fused loraLinear (x Aᵀ, then one pass writing the output once).
// Elsewhere, without DoRA, the update and its add are one op with its own gradient (lora-update.ts).
// With DoRA (use_dora, PEFT 0.21.2's DoraLinearLayer) a trainable magnitude m [out] rescales each
// output row: y = m / ‖W + scale B A‖ ⊙ (x Wᵀ + scale · x Aᵀ Bᵀ) (+ bias), the row norm taken
// on the detached combined weight. OLoRA's and PiSSA's inits (init.ts, pissa.ts) hold W - scale B₀ A₀
// as the frozen weight, LoftQ's its NF4 codes of the last residual: a frozen weight this module
// owns, never written into the base model, which other adapters share. A PiSSA or LoftQ module
// converts (toPlainLora) into the plain LoRA of rank 2r that PEFT's
// path_initial_model_for_weight_conversion saves: A' = [A; A₀], B' = [B, -B₀] over the base W, so
// W + scale B' A' = (W - scale B₀ A₀) + scale B A. LoftQ's converted module keeps computing over its
// NF4 codes Q, as Q + scale B₀ A₀ + scale B' A' (= Q + scale B A, what it trained on).
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"
import { loraLinear as fusedLoraLinear, loraLinearKernelName, usesWgslKernel } from "@peftlab/gpu-kernels"
import { frozenLinear, isDeviceLinear, isQuantizedLinear, nf4Matrix, quantizationOf, replayableSeed, type Linear, type Nf4Weights } from "@peftlab/models"
import { gaussianLoraA, initialLoraA, isSubtractedInit, oloraFactors, pissaIterations, type LoraInit } from "./init.ts"
import { plusLoraUpdate } from "./lora-update.ts"
import { loftqFactors, pissaFactors, subtractUpdate, type HostFactors } from "./pissa.ts"

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
  /** PiSSA and LoftQ: the initial factors A₀ [r, in] and B₀ [out, r], kept for the conversion. */
  readonly initial?: { readonly a: tf.Tensor2D; readonly b: tf.Tensor2D }
  /**
   * PiSSA and LoftQ: the plain LoRA of rank 2r computing what this module computes (see the
   * header); this module is disposed, except what the new one takes over.
   */
  toPlainLora?(): LoraLinear
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
  /** LoftQ's number of alternating steps (loftq_config.loftq_iter); with init "loftq" only. */
  readonly loftqIterations?: number
  /** A converted module's factors and frozen weight, in place of an init (toPlainLora makes them). */
  readonly start?: LoraStart
}

/** A frozen weight a module owns in place of its base's: x through it (no bias), and it [out, in] as a tensor the caller disposes. */
interface OwnFrozen {
  product(x: tf.Tensor): tf.Tensor
  weight(): tf.Tensor2D
  dispose(): void
}

/** Where a module starts: its factors, its own frozen weight if any, and for PiSSA and LoftQ copies of the initial factors. */
export interface LoraStart {
  readonly a: tf.Tensor2D
  readonly b: tf.Tensor2D
  readonly frozen?: OwnFrozen
  readonly initial?: { readonly a: tf.Tensor2D; readonly b: tf.Tensor2D }
}

// [..., in] -> [..., out]; `transposed` says whether `weight` is [in, out] rather than [out, in].
const project = (x: tf.Tensor, weight: tf.Tensor2D, transposed = false): tf.Tensor => {
  const [from, to] = transposed ? weight.shape : [weight.shape[1], weight.shape[0]]
  return tf.matMul(x.reshape([-1, from]) as tf.Tensor2D, weight, false, !transposed).reshape([...x.shape.slice(0, -1), to])
}

/** A float32 frozen weight [out, in], kept with its [in, out] transpose, which the forward pass multiplies by. */
const floatFrozen = (weight: tf.Tensor2D): OwnFrozen => {
  const transposed = tf.transpose(weight) as tf.Tensor2D
  return { product: (x) => project(x, transposed, true), weight: () => tf.clone(weight), dispose: () => tf.dispose([weight, transposed]) }
}

/** LoftQ's frozen weight: NF4 codes on the host, dequantized per call as a QLoRA base's. */
const nf4Frozen = (name: string, quantized: Nf4Weights, shape: readonly [number, number]): OwnFrozen => {
  const linear = frozenLinear(name, nf4Matrix(quantized, shape))
  return { product: (x) => linear.apply(x), weight: () => linear.readWeight(), dispose: () => linear.dispose() }
}

/** `frozen` plus the fixed update scale B₀ A₀ (a converted LoftQ module's frozen part); owns a and b. */
const plusFixedUpdate = (frozen: OwnFrozen, a: tf.Tensor2D, b: tf.Tensor2D, scale: number): OwnFrozen => ({
  product: (x) => frozen.product(x).add(project(project(x, a), b).mul(scale)),
  weight: () => tf.tidy(() => frozen.weight().add(tf.matMul(b, a).mul(scale)) as tf.Tensor2D),
  dispose: () => {
    frozen.dispose()
    tf.dispose([a, b])
  },
})

const hostTensors = ({ a, b }: HostFactors, r: number, [outFeatures, inFeatures]: readonly [number, number]) => ({ a: tf.tensor2d(a, [r, inFeatures]), b: tf.tensor2d(b, [outFeatures, r]) })

/** The weight [out, in] on the host (a synchronous read: the SVD inits run on the host). */
const hostWeight = (base: Linear): Float32Array => {
  const weight = base.readWeight()
  const values = weight.dataSync() as Float32Array
  weight.dispose()
  return values
}

/** PiSSA's or LoftQ's start: the factors, the frozen weight they leave, and copies of the factors for the conversion. */
const svdStart = (base: Linear, options: LoraLinearOptions, init: "loftq" | "pissa" | `pissa_niter_${number}`): LoraStart => {
  if (isQuantizedLinear(base)) {
    throw new RangeError(`${base.name}: init_lora_weights "${init}" needs the float weight, and this base is ${quantizationOf(base)} (a LoftQ arm quantizes its targeted modules itself; PiSSA needs a float base, as PEFT's pissa_init)`)
  }
  const weight = hostWeight(base)
  if (init === "loftq") {
    const { quantized, ...factors } = loftqFactors(weight, base.shape, options.r, options.loftqIterations ?? 1)
    const { a, b } = hostTensors(factors, options.r, base.shape)
    return { a, b, frozen: nf4Frozen(base.name, quantized, base.shape), initial: { a: tf.clone(a), b: tf.clone(b) } }
  }
  const factors = pissaFactors(weight, base.shape, options.r, options.scale, pissaIterations(init), options.rng)
  const residual = tf.tensor2d(subtractUpdate(weight, factors, base.shape, options.r, options.scale), [...base.shape])
  const { a, b } = hostTensors(factors, options.r, base.shape)
  return { a, b, frozen: floatFrozen(residual), initial: { a: tf.clone(a), b: tf.clone(b) } }
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

/** The initial factors and, for OLoRA, PiSSA and LoftQ, the frozen weight that replaces the base's. */
const initialFactors = (base: Linear, options: LoraLinearOptions): LoraStart => {
  if (options.start) return options.start
  const [outFeatures, inFeatures] = base.shape
  const init = options.init ?? true
  if (init === "olora") {
    const { a, b, residual } = tf.tidy(() => {
      const weight = base.readWeight()
      const factors = oloraFactors(weight, options.r)
      return { ...factors, residual: weight.sub(tf.matMul(factors.b, factors.a).mul(options.scale)) as tf.Tensor2D }
    })
    return { a, b, frozen: floatFrozen(residual) }
  }
  if (init === "loftq" || (typeof init === "string" && init.startsWith("pissa"))) return svdStart(base, options, init as "loftq" | "pissa")
  const a = init === "gaussian" ? gaussianLoraA(options.r, inFeatures, options.rng) : initialLoraA(options.r, inFeatures, options.rng)
  return { a, b: tf.zeros([outFeatures, options.r]) }
}

export const loraLinear = (model: Linear, options: LoraLinearOptions): LoraLinear => {
  if (options.init === "olora" && isQuantizedLinear(model)) {
    throw new RangeError(`${model.name}: init_lora_weights "olora" over an ${quantizationOf(model)} base is not supported (PEFT re-quantizes the residual weight; peftlab does not)`)
  }
  if (options.useDora && isSubtractedInit(options.init)) {
    throw new RangeError(`${model.name}: use_dora with init_lora_weights "${String(options.init)}" is not implemented`)
  }
  const factors = initialFactors(model, options)
  const loraA = trainableFrom(factors.a)
  const loraB = trainableFrom(factors.b)
  // OLoRA's or PiSSA's residual, LoftQ's NF4 codes (a converted LoftQ module: plus scale B₀ A₀).
  const residual = factors.frozen
  const initial = factors.initial
  // The frozen weight in use, float32 [out, in], a tensor the caller disposes.
  const frozenWeight = (): tf.Tensor2D => (residual ? residual.weight() : model.readWeight())
  const magnitude = options.useDora
    ? trainableFrom(tf.tidy(() => rowNorms(frozenWeight(), loraA, loraB, options.scale)))
    : undefined
  // While merged: the folded weight [out, in], and its [in, out] transpose, which the forward
  // pass multiplies by (the same layout as the model's own modules, fast on wasm).
  let merged: { weight: tf.Tensor2D; transposed: tf.Tensor2D } | undefined
  /** x through the frozen weight, without bias. */
  const frozenProduct = (x: tf.Tensor): tf.Tensor => {
    if (residual) return residual.product(x)
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
        // A quantized base keeps its own matmul (QLoRA's 4-bit one, LLM.int8()'s by mode), and a device-held
        // base (bf16, f16, row tiles) its own kernels: the fused kernel would need the weight widened to float32 on every call.
        if (!dropping && !magnitude && !residual && !isQuantizedLinear(model) && !isDeviceLinear(model) && usesWgslKernel(loraLinearKernelName)) {
          return withBias(fusedLoraLinear(x, { weight: model.readWeight(), loraA, loraB, scale: options.scale }))
        }
        const dropped = dropping ? tf.dropout(x, options.dropout, undefined, replayableSeed(() => options.rng.nextUint32())) : x
        if (magnitude === undefined) {
          return residual ? withBias(plusLoraUpdate(residual.product(x), dropped, loraA, loraB, options.scale)) : plusLoraUpdate(model.apply(x), dropped, loraA, loraB, options.scale)
        }
        const update = project(project(dropped, loraA), loraB).mul(options.scale)
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
      residual?.dispose()
      tf.dispose([loraA, loraB, ...(magnitude ? [magnitude] : []), ...(initial ? [initial.a, initial.b] : [])])
    },
    ...(initial && {
      initial,
      toPlainLora: () => {
        module.unmerge()
        const a = tf.concat([loraA, initial.a], 0) as tf.Tensor2D
        const b = tf.tidy(() => tf.concat([loraB, initial.b.neg()], 1) as tf.Tensor2D)
        // PiSSA's residual goes (the base W takes its place); LoftQ's NF4 codes stay, with scale B₀ A₀ beside them.
        const loftq = options.init === "loftq" && residual !== undefined
        const frozen = loftq ? plusFixedUpdate(residual, initial.a, initial.b, options.scale) : undefined
        if (!loftq) {
          residual?.dispose()
          tf.dispose([initial.a, initial.b])
        }
        tf.dispose([loraA, loraB])
        return loraLinear(model, { ...options, r: 2 * options.r, init: true, start: { a, b, ...(frozen && { frozen }) } })
      },
    }),
  }
  return module
}
