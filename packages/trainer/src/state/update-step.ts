// One optimizer step from a step's gradients, with the optimizer's moments where placement.ts
// puts them: on the backend (adamw.ts; clipping stays in the graph, so the step waits on no
// read), or on the host (host-adamw.ts; the gradients are read once, clipped and applied there).
import * as tf from "@tensorflow/tfjs"
import { adamW, type AdamWConfig, type AdamWState } from "../adamw.ts"
import { clipByGlobalNorm, globalNorm } from "../clip.ts"
import { scalarValue, valuesOf } from "../host-reads.ts"
import { hostAdamW } from "./host-adamw.ts"
import type { StatePlacement } from "./placement.ts"

export interface UpdateStep {
  /**
   * Clips `grads` (those of `reached`, in order) to the global norm when one is set and applies
   * them at `lr`; resolves to their global norm before clipping. Frees `grads` (on the host path
   * as soon as they are read, so the new values never sit beside them on the backend).
   */
  apply(reached: ReadonlyArray<tf.Variable>, grads: ReadonlyArray<tf.Tensor>, lr: number): Promise<number>
  state(): Promise<AdamWState>
  restore(state: AdamWState): void
  dispose(): void
}

const onBackend = (variables: ReadonlyArray<tf.Variable>, config: AdamWConfig, maxGradNorm: number | undefined): UpdateStep => {
  const optimizer = adamW(variables, config)
  return {
    apply: (reached, grads, lr) => {
      const clipped = maxGradNorm === undefined ? undefined : clipByGlobalNorm(grads, maxGradNorm)
      const used = clipped?.grads ?? grads
      const norm = clipped?.norm ?? globalNorm(used)
      optimizer.step(new Map(reached.map((v, j) => [v, used[j] as tf.Tensor])), lr)
      tf.dispose([...grads, ...(clipped?.grads ?? [])])
      // The read starts after the update is queued.
      return scalarValue(norm).finally(() => norm.dispose())
    },
    state: () => optimizer.state(),
    restore: (state) => optimizer.restore(state),
    dispose: () => optimizer.dispose(),
  }
}

/** The global L2 norm of `grads`, and `grads` scaled to `maxGradNorm` as clip.ts scales them (new arrays where scaled). */
const clipOnHost = (grads: ReadonlyArray<Float32Array>, maxGradNorm: number | undefined): { norm: number; grads: ReadonlyArray<Float32Array> } => {
  let squares = 0
  for (const g of grads) for (let i = 0; i < g.length; i++) squares += (g[i] as number) ** 2
  const norm = Math.sqrt(squares)
  if (maxGradNorm === undefined) return { norm, grads }
  const factor = Math.fround(Math.min(1, maxGradNorm / (norm + 1e-6)))
  return { norm, grads: factor === 1 ? grads : grads.map((g) => g.map((x) => x * factor)) }
}

const onHost = (variables: ReadonlyArray<tf.Variable>, config: AdamWConfig, maxGradNorm: number | undefined): UpdateStep => {
  const optimizer = hostAdamW(variables, config)
  return {
    apply: async (reached, grads, lr) => {
      const values = await valuesOf(grads)
      tf.dispose([...grads])
      const { norm, grads: used } = clipOnHost(values, maxGradNorm)
      await optimizer.step(new Map(reached.map((v, j) => [v, used[j] as Float32Array])), lr)
      return norm
    },
    state: async () => optimizer.state(),
    restore: (state) => optimizer.restore(state),
    dispose: () => {},
  }
}

export const updateStep = (placement: StatePlacement, variables: ReadonlyArray<tf.Variable>, config: AdamWConfig, maxGradNorm?: number): UpdateStep =>
  (placement === "host" ? onHost : onBackend)(variables, config, maxGradNorm)
