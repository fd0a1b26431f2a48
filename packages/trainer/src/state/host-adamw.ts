// AdamW with its moments in host memory, as ZeRO-Offload's CPU optimizer keeps them: full
// fine-tuning of a 345M-parameter encoder holds 1.4 GB of weights and 1.4 GB of gradients on the
// backend, and its two moments (2.8 GB more) would not fit wasm's 4 GB heap beside them. The
// update is adamw.ts's, each value rounded to float32 as it is stored; a step reads each
// variable once to the host and assigns its new value back.
import * as tf from "@tensorflow/tfjs"
import type { AdamWConfig, AdamWState } from "../adamw.ts"

export interface HostAdamW {
  /** One update of each variable from its gradient (host values), at `lr`. */
  step(grads: ReadonlyMap<tf.Variable, Float32Array>, lr: number): Promise<void>
  readonly stepCount: () => number
  /** Moments in the order of the variables given at creation (copies). */
  state(): AdamWState
  restore(state: AdamWState): void
}

export const hostAdamW = (variables: ReadonlyArray<tf.Variable>, config: AdamWConfig): HostAdamW => {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 } = config
  const moments = new Map(variables.map((v) => [v, { m: new Float32Array(v.size), s: new Float32Array(v.size) }]))
  let t = 0
  return {
    step: async (grads, lr) => {
      t += 1
      // Every constant and every intermediate rounded to float32, as the backend's ops round them.
      const f = Math.fround
      const [b1, b2, c1, c2, eps] = [f(beta1), f(beta2), f(1 - beta1), f(1 - beta2), f(epsilon)]
      const [correction1, correction2] = [f(1 - beta1 ** t), f(1 - beta2 ** t)]
      for (const [variable, grad] of grads) {
        // The variable's group lr (AdamWConfig.lrScales).
        const groupLr = lr * (config.lrScales?.get(variable) ?? 1)
        const [rate, decay] = [f(groupLr), f(1 - groupLr * weightDecay)]
        const state = moments.get(variable)
        if (!state) throw new Error(`AdamW: variable ${variable.name} is not being optimised`)
        const { m, s } = state
        // A copy: the cpu backend hands out a tensor's own storage, which must not change.
        const value = ((await variable.data()) as Float32Array).slice()
        for (let i = 0; i < value.length; i++) {
          const g = grad[i] as number
          const mi = (m[i] = f(f((m[i] as number) * b1) + f(g * c1)))
          const si = (s[i] = f(f((s[i] as number) * b2) + f(f(g * g) * c2)))
          const update = f(f(mi / correction1) / f(f(Math.sqrt(f(si / correction2))) + eps))
          const decayed = weightDecay > 0 ? f((value[i] as number) * decay) : (value[i] as number)
          value[i] = f(decayed - f(update * rate))
        }
        tf.tidy(() => variable.assign(tf.tensor(value, variable.shape)))
      }
    },
    stepCount: () => t,
    state: () => ({ t, m: variables.map((v) => moments.get(v)!.m.slice()), s: variables.map((v) => moments.get(v)!.s.slice()) }),
    restore: (state) => {
      t = state.t
      variables.forEach((v, i) => {
        const { m, s } = moments.get(v)!
        m.set(state.m[i] as Float32Array)
        s.set(state.s[i] as Float32Array)
      })
    },
  }
}
