// AdamW (Loshchilov & Hutter, 2019) as torch.optim.AdamW computes it: weight decay is
// applied to the parameter directly, not folded into the gradient as Adam's L2 would.
import * as tf from "@tensorflow/tfjs"
import { valuesOf } from "./host-reads.ts"

export interface AdamWConfig {
  readonly lr: number
  readonly beta1?: number
  readonly beta2?: number
  readonly epsilon?: number
  readonly weightDecay?: number
  /** Per-variable factors on lr (parameter groups, e.g. LoRA+'s B at lr * ratio); 1 for a variable not in it. */
  readonly lrScales?: ReadonlyMap<tf.Variable, number>
}

/** Everything AdamW needs to continue exactly where it stopped. */
export interface AdamWState {
  readonly t: number
  readonly m: ReadonlyArray<Float32Array>
  readonly s: ReadonlyArray<Float32Array>
}

export interface AdamW {
  /** Applies one update to each variable from its gradient, at `lr` (default: the configured one). */
  step(grads: ReadonlyMap<tf.Variable, tf.Tensor>, lr?: number): void
  readonly stepCount: () => number
  /** Moments in the order of the variables given at creation, read from the backend. */
  state(): Promise<AdamWState>
  restore(state: AdamWState): void
  dispose(): void
}

export const adamW = (variables: ReadonlyArray<tf.Variable>, config: AdamWConfig): AdamW => {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 } = config
  const zeros = (v: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(v), false))
  const moments = new Map(variables.map((v) => [v, { m: zeros(v), s: zeros(v) }]))
  let t = 0

  return {
    step: (grads, lr = config.lr) => {
      t += 1
      const correction1 = 1 - beta1 ** t
      const correction2 = 1 - beta2 ** t
      tf.tidy(() => {
        for (const [variable, grad] of grads) {
          const state = moments.get(variable)
          if (!state) throw new Error(`AdamW: variable ${variable.name} is not being optimised`)
          const m = state.m.mul(beta1).add(grad.mul(1 - beta1))
          const s = state.s.mul(beta2).add(grad.square().mul(1 - beta2))
          state.m.assign(m)
          state.s.assign(s)
          const update = m.div(correction1).div(s.div(correction2).sqrt().add(epsilon))
          const rate = lr * (config.lrScales?.get(variable) ?? 1)
          const decayed = weightDecay > 0 ? variable.mul(1 - rate * weightDecay) : variable
          variable.assign(decayed.sub(update.mul(rate)))
        }
      })
    },
    stepCount: () => t,
    state: async () => {
      const step = t
      const moment = (key: "m" | "s") => valuesOf(variables.map((v) => moments.get(v)![key]))
      const [m, s] = await Promise.all([moment("m"), moment("s")])
      return { t: step, m, s }
    },
    restore: (state) => {
      t = state.t
      variables.forEach((v, i) => {
        const { m, s } = moments.get(v)!
        tf.tidy(() => {
          m.assign(tf.tensor(state.m[i] as Float32Array, v.shape))
          s.assign(tf.tensor(state.s[i] as Float32Array, v.shape))
        })
      })
    },
    dispose: () => {
      for (const { m, s } of moments.values()) {
        m.dispose()
        s.dispose()
      }
    },
  }
}
