// The test pass every task shares: its items (examples, or sentences with all their questions)
// predicted one at a time, so each latency is a real per-item latency (input in, answer out),
// with progress on the way. It runs here, or spread over the arm's data-parallel workers, each
// of which builds the same task and predicts the items it is sent by index.
import type * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { emit, type Events } from "@peftlab/core"
import type { DataParallel } from "@peftlab/trainer"

/** A task's test items and how one is predicted; the output must be structured-cloneable. */
export interface TestPass<O> {
  readonly size: number
  readonly predict: (index: number) => Promise<O>
}

/** One item's prediction and how long it took. */
export interface Timed<O> {
  readonly output: O
  readonly latencyMs: number
}

/** Runs a test pass to the end: every item's output, in item order. */
export type RunTestPass = <O>(pass: TestPass<O>) => Effect.Effect<ReadonlyArray<Timed<O>>, never, Events>

/** Predicts item `index`, timed. */
export const timedPrediction = async <O>(pass: TestPass<O>, index: number): Promise<Timed<O>> => {
  const started = performance.now()
  const output = await pass.predict(index)
  return { output, latencyMs: performance.now() - started }
}

const progress = (arm: string, done: number, total: number) => emit({ type: "eval-progress", arm, split: "test", done, total })

const yieldToEventLoop = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** The pass in this thread, progress every 10 items. */
export const testPassHere =
  (arm: string): RunTestPass =>
  <O>(pass: TestPass<O>) =>
    Effect.gen(function* () {
      const timed: Array<Timed<O>> = []
      for (let i = 0; i < pass.size; i++) {
        timed.push(yield* Effect.promise(() => timedPrediction(pass, i)))
        if ((i + 1) % 10 === 0 || i + 1 === pass.size) {
          yield* progress(arm, i + 1, pass.size)
          yield* yieldToEventLoop
        }
      }
      return timed
    })

/** Items each worker predicts per round; the pool sends the adapter's weights with every round. */
const itemsPerWorker = 5

/**
 * The pass on `pool`'s workers with `variables`' current values: rounds of up to
 * `itemsPerWorker` items per worker, dealt in turn (so a small test set still reaches every
 * worker), progress after each round. The outputs are what this thread would predict: each
 * worker's replica is the same model and adapter, sent the same weights.
 */
export const testPassOnWorkers =
  (arm: string, pool: DataParallel<ReadonlyArray<unknown>>, variables: ReadonlyArray<tf.Variable>): RunTestPass =>
  <O>(pass: TestPass<O>) =>
    Effect.gen(function* () {
      const timed: Array<Timed<O>> = []
      const round = itemsPerWorker * pool.workers
      for (let start = 0; start < pass.size; start += round) {
        const dealt = Array.from({ length: pool.workers }, () => [] as Array<number>)
        for (let index = start; index < Math.min(start + round, pass.size); index++) dealt[(index - start) % pool.workers]!.push(index)
        const outputs = yield* Effect.promise(() => pool.evaluate(variables, dealt.map((indices) => (indices.length > 0 ? [indices] : []))))
        dealt.forEach((indices, w) => {
          const answered = (outputs[w]?.[0] ?? []) as ReadonlyArray<Timed<O>>
          if (answered.length !== indices.length) throw new Error(`worker ${w} answered ${answered.length} of the ${indices.length} test items it was sent`)
          indices.forEach((index, k) => (timed[index] = answered[k] as Timed<O>))
        })
        yield* progress(arm, Math.min(start + round, pass.size), pass.size)
      }
      return timed
    })
