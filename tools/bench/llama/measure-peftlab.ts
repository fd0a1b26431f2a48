// peftlab's side of the comparison: training steps (data-parallel over worker threads, AdamW in
// the main thread, as `train` runs them) and batched scoring, timed after warm-up steps (V8 tiers
// up tfjs's JavaScript over the first few: stories260k's step settles after about five).
import * as tf from "@tensorflow/tfjs"
import { adamW, shard, startDataParallel } from "@peftlab/trainer"
import type { ReplicaInit } from "./replica.ts"
import { microBatches, type TokenBatch } from "./workload.ts"

export interface PeftlabRun extends ReplicaInit {
  readonly workers: number
  readonly batch: TokenBatch
  /** Rows per micro-batch: each worker accumulates its rows in micro-batches this size (the wasm heap is 4 GB). */
  readonly microRows: number
  readonly steps: number
  /** Untimed steps first (PyTorch's side gets as many). */
  readonly warmup: number
  /** The replica module the workers load: the causal one beside this file by default. */
  readonly replica?: URL
}

export interface Timing {
  readonly stepMs: number
  readonly tokensPerSecond: number
  /** Scoring (a forward pass over the batch) per example. */
  readonly scoringMsPerExample: number
  readonly trainableParams: number
}

const timed = async (warmup: number, times: number, run: () => Promise<void>): Promise<number> => {
  for (let i = 0; i < warmup; i++) await run() // compiles kernels, packs weights, lets V8 optimize
  const started = performance.now()
  for (let i = 0; i < times; i++) await run()
  return (performance.now() - started) / times
}

export const measurePeftlab = async (run: PeftlabRun): Promise<Timing> => {
  const { workers, batch, microRows, steps, warmup, replica, ...init } = run
  const pool = await startDataParallel<TokenBatch>({ module: replica ?? new URL("./replica.ts", import.meta.url), init, workers })
  const variables = pool.replicaVariables()
  try {
    const optimizer = adamW(variables, { lr: 1e-4, weightDecay: 0 })
    const trainShards = shard(microBatches(batch, microRows), workers)
    const stepMs = await timed(warmup, steps, async () => {
      const { reached, grads, loss } = await pool.gradients(variables, trainShards)
      optimizer.step(new Map(reached.map((v, i) => [v, grads[i]!])))
      await loss.data()
      tf.dispose([...grads, loss])
    })
    // Scoring: each worker takes an equal share of the batch's rows.
    const scoreShards = shard(microBatches(batch, Math.min(microRows, Math.ceil(batch.rows / workers))), workers)
    const scoringMs = await timed(warmup, steps, async () => void (await pool.evaluate(variables, scoreShards)))
    return {
      stepMs,
      tokensPerSecond: (batch.rows * batch.seq * 1000) / stepMs,
      scoringMsPerExample: scoringMs / batch.rows,
      trainableParams: variables.reduce((sum, v) => sum + v.size, 0),
    }
  } finally {
    tf.dispose(variables)
    await pool.close()
  }
}
