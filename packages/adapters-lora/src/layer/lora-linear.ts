// A LoRA-wrapped linear module: y = x Wᵀ + scale * dropout(x) Aᵀ Bᵀ, with the base W frozen
// and A [r, in], B [out, r] trainable. B starts at zero, so the wrapped module starts out
// computing exactly what the base does. On webgpu, when no dropout applies, the base product and
// the update are @peftlab/gpu-kernels' fused loraLinear (x Aᵀ, then one pass writing the output once).
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"
import { loraLinear as fusedLoraLinear, loraLinearKernelName, usesWgslKernel } from "@peftlab/gpu-kernels"
import { isDeviceLinear, isNf4Linear, replayableSeed, type Linear } from "@peftlab/models"
import { initialLoraA } from "./init.ts"

export interface LoraLinear extends Linear {
  readonly base: Linear
  readonly loraA: tf.Variable<tf.Rank.R2>
  readonly loraB: tf.Variable<tf.Rank.R2>
  readonly scale: number
  readonly merged: boolean
  /** Dropout applies only while training is on. */
  training: boolean
  /**
   * Folds scale * B A into a copy of the base weight and runs on that alone (faster inference;
   * no gradient reaches A and B while merged). The base's own tensor is never written to.
   */
  merge(): void
  /** Back to base + LoRA branch; the merged copy is dropped rather than subtracted from, so nothing drifts. */
  unmerge(): void
  /** Frees A, B and any merged copy; never the base module or its weight. */
  dispose(): void
}

export interface LoraLinearOptions {
  readonly r: number
  readonly scale: number
  readonly dropout: number
  /** Draws A's initial values, then one dropout seed per training call. */
  readonly rng: Rng
}

// A variable shares the initial tensor's data, so the tensor itself can go.
const trainableFrom = (initial: tf.Tensor): tf.Variable<tf.Rank.R2> => {
  const variable = tf.variable(initial, true) as tf.Variable<tf.Rank.R2>
  initial.dispose()
  return variable
}

export const loraLinear = (base: Linear, options: LoraLinearOptions): LoraLinear => {
  const [outFeatures, inFeatures] = base.shape
  const loraA = trainableFrom(initialLoraA(options.r, inFeatures, options.rng))
  const loraB = trainableFrom(tf.zeros([outFeatures, options.r]))
  // While merged: the folded weight [out, in], and its [in, out] transpose, which the forward
  // pass multiplies by (the same layout as the model's own modules, fast on wasm).
  let merged: { weight: tf.Tensor2D; transposed: tf.Tensor2D } | undefined
  // [..., in] -> [..., out]; `transposed` says whether `weight` is [in, out] rather than [out, in].
  const project = (x: tf.Tensor, weight: tf.Tensor2D, transposed = false): tf.Tensor => {
    const [from, to] = transposed ? weight.shape : [weight.shape[1], weight.shape[0]]
    return tf.matMul(x.reshape([-1, from]) as tf.Tensor2D, weight, false, !transposed).reshape([...x.shape.slice(0, -1), to])
  }

  const module: LoraLinear = {
    name: base.name,
    base,
    loraA,
    loraB,
    scale: options.scale,
    shape: base.shape,
    ...(base.storedTransposed && { storedTransposed: true }),
    /** The weight in use: the base's, or while merged, the copy with the update folded in. */
    readWeight: () => (merged ? tf.clone(merged.weight) : base.readWeight()),
    get bias() {
      return base.bias
    },
    get merged() {
      return merged !== undefined
    },
    training: false,
    apply: (x) =>
      tf.tidy(() => {
        if (merged !== undefined) {
          const projected = project(x, merged.transposed, true)
          return base.bias ? projected.add(base.bias) : projected
        }
        const dropping = module.training && options.dropout > 0
        // QLoRA's base keeps its own 4-bit matmul, and a device-held base (bf16, f16, row tiles) its
        // own kernels: the fused kernel would need the weight widened to float32 on every call.
        if (!dropping && !isNf4Linear(base) && !isDeviceLinear(base) && usesWgslKernel(loraLinearKernelName)) {
          const fused = fusedLoraLinear(x, { weight: base.readWeight(), loraA, loraB, scale: options.scale })
          return base.bias ? fused.add(base.bias) : fused
        }
        const dropped = dropping ? tf.dropout(x, options.dropout, undefined, replayableSeed(() => options.rng.nextUint32())) : x
        return base.apply(x).add(project(project(dropped, loraA), loraB).mul(options.scale))
      }),
    merge: () => {
      if (merged !== undefined) return
      const weight = tf.tidy(() => base.readWeight().add<tf.Tensor2D>(tf.matMul(loraB, loraA).mul(options.scale)))
      merged = { weight, transposed: tf.transpose(weight) }
    },
    unmerge: () => {
      if (merged !== undefined) tf.dispose([merged.weight, merged.transposed])
      merged = undefined
    },
    dispose: () => {
      module.unmerge()
      loraA.dispose()
      loraB.dispose()
    },
  }
  return module
}
