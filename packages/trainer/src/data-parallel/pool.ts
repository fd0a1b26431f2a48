// Data-parallel gradients over Node worker threads, each with its own tfjs instance (its own
// heap and backend), as torch's DistributedDataParallel runs one rank per device: every step
// sends each worker the current weights and its shard of micro-batches, and averages what the
// workers send back. Only the adapter's gradients cross threads, so the traffic is tiny.
import * as tf from "@tensorflow/tfjs"
import { availableParallelism } from "node:os"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Worker } from "node:worker_threads"
import type { StepGradients } from "../gradients.ts"
import { valuesOf } from "../host-reads.ts"
import { DataParallelError } from "./error.ts"
import type { StepRequest, WorkerInit, WorkerReply } from "./protocol.ts"

export interface DataParallelOptions {
  /** The replica module: a file path (relative to the working directory) or URL. */
  readonly module: string | URL
  /** Passed to the module's `createReplica`; structured-cloneable data only. */
  readonly init: unknown
  readonly workers: number
}

export interface DataParallel<Batch> {
  readonly workers: number
  /** New variables holding worker 0's replica variables as built: for a trainer that loads no model itself. */
  replicaVariables(): Array<tf.Variable>
  /**
   * Σ weight(b) · ∇loss(b) / Σ weight(b) over every micro-batch b of every shard (shard i goes
   * to worker i), and the loss likewise, for the variables' current values; as the local
   * `accumulatedGradients`, a variable no worker's loss reaches is left out of `reached`.
   */
  gradients(variables: ReadonlyArray<tf.Variable>, shards: ReadonlyArray<ReadonlyArray<Batch>>): Promise<StepGradients>
  /**
   * The replicas' `evaluate` of every micro-batch of every shard, for the variables' current
   * values (batched scoring on every worker at once): outputs[i][j] is shard i's batch j.
   */
  evaluate(variables: ReadonlyArray<tf.Variable>, shards: ReadonlyArray<ReadonlyArray<Batch>>): Promise<Array<Array<unknown>>>
  /** tf.memory().numTensors of each worker after its latest step, to check for leaks. */
  workerTensors(): ReadonlyArray<number>
  /** Terminates the workers. */
  close(): Promise<void>
}

type Result = Exclude<WorkerReply, { type: "ready" | "failed" }>

interface Pending {
  readonly resolve: (reply: Result) => void
  readonly reject: (error: DataParallelError) => void
}

const moduleUrl = (module: string | URL): string =>
  module instanceof URL ? module.href : /^[a-z][a-z0-9+.-]+:/i.test(module) ? module : pathToFileURL(resolve(module)).href

// One worker: replies arrive in the order of the requests, so a queue matches them up.
const startWorker = (index: number, data: WorkerInit) => {
  // worker-main.js beside this file once built into dist/.
  const worker = new Worker(new URL(import.meta.url.endsWith(".ts") ? "./worker-main.ts" : "./worker-main.js", import.meta.url), { workerData: data })
  const pending: Array<Pending> = []
  let failure: DataParallelError | undefined
  let numTensors = 0
  let closing = false
  const fail = (detail: string) => {
    failure ??= new DataParallelError({ worker: index, detail })
    for (const p of pending.splice(0)) p.reject(failure)
  }
  const ready = new Promise<{ shapes: Array<Array<number>>; values: Array<Float32Array> }>((resolveReady, rejectReady) => {
    worker.on("message", (reply: WorkerReply) => {
      if (reply.type === "ready") {
        numTensors = reply.numTensors
        // Between steps an idle pool must not keep the process alive.
        worker.unref()
        return resolveReady({ shapes: reply.shapes, values: reply.values })
      }
      const request = pending.shift()
      if (pending.length === 0) worker.unref()
      if (reply.type === "failed") {
        // A replica's error fails its step only; without a step, the replica could not be built.
        if (request) return request.reject(new DataParallelError({ worker: index, detail: reply.detail }))
        fail(reply.detail)
        return rejectReady(failure)
      }
      numTensors = reply.numTensors
      request?.resolve(reply)
    })
    worker.on("error", (error) => {
      fail(error.stack ?? error.message)
      rejectReady(failure)
    })
    worker.on("exit", (code) => {
      fail(closing ? "the pool was closed" : `exited with code ${code}`)
      rejectReady(failure)
    })
  })
  return {
    ready,
    step: (request: StepRequest): Promise<Result> =>
      new Promise((resolveStep, rejectStep) => {
        if (failure) return rejectStep(failure)
        pending.push({ resolve: resolveStep, reject: rejectStep })
        worker.ref()
        worker.postMessage(request)
      }),
    numTensors: () => numTensors,
    close: async () => {
      closing = true
      await worker.terminate()
    },
  }
}

type WorkerHandle = ReturnType<typeof startWorker>

/** Each of `workers` workers' share of the cores this process may use (at least one). */
const threadsPerWorker = (workers: number): number => Math.max(1, Math.floor(availableParallelism() / workers))

const sameShapes = (a: ReadonlyArray<ReadonlyArray<number>>, b: ReadonlyArray<ReadonlyArray<number>>) =>
  a.length === b.length && a.every((s, i) => s.join() === b[i]?.join())

/** Starts `workers` workers, each building a replica from `module`, told its share of the cores; resolves when all are ready. */
export const startDataParallel = async <Batch>(options: DataParallelOptions): Promise<DataParallel<Batch>> => {
  const data: WorkerInit = { module: moduleUrl(options.module), init: options.init, threads: threadsPerWorker(options.workers) }
  const workers = Array.from({ length: options.workers }, (_, i) => startWorker(i, data))
  const closeAll = async () => void (await Promise.all(workers.map((w) => w.close())))
  const built = await Promise.all(workers.map((w) => w.ready)).catch(async (error: unknown) => {
    await closeAll()
    throw error
  })
  const replicaShapes = built[0]?.shapes ?? []

  /** Sends each worker its shard with the variables' current values; a reply per shard (undefined for an empty one). */
  const dispatch = async (kind: StepRequest["kind"], variables: ReadonlyArray<tf.Variable>, shards: ReadonlyArray<ReadonlyArray<Batch>>) => {
    if (shards.length > workers.length) throw new RangeError(`${shards.length} shards for ${workers.length} workers`)
    if (!sameShapes(replicaShapes, variables.map((v) => v.shape))) {
      const show = (s: ReadonlyArray<ReadonlyArray<number>>) => s.map((x) => `[${x.join(", ")}]`).join(" ")
      throw new DataParallelError({ worker: 0, detail: `the replica's variables have shapes ${show(replicaShapes)}, the trainer's ${show(variables.map((v) => v.shape))}` })
    }
    const weights = await valuesOf(variables)
    const replies = await Promise.all(shards.map((micro, i) => (micro.length === 0 ? undefined : (workers[i] as WorkerHandle).step({ kind, weights, micro }))))
    return { weights, replies }
  }

  return {
    workers: options.workers,
    replicaVariables: () => replicaShapes.map((shape, i) => tf.variable(tf.tensor(built[0]!.values[i]!, shape))),
    gradients: async (variables, shards) => {
      const { weights, replies: answered } = await dispatch("gradients", variables, shards)
      const replies = answered.flatMap((r) => (r?.type === "result" ? [r] : []))
      // Summed in float64 on the host: a handful of small arrays per step.
      const weightSum = replies.reduce((sum, r) => sum + r.weightSum, 0)
      const lossSum = replies.reduce((sum, r) => sum + r.lossSum, 0)
      const reachedIndices = variables.flatMap((_, i) => (replies.some((r) => r.grads[i]) ? [i] : []))
      const grads = reachedIndices.map((i) => {
        const total = new Float64Array((weights[i] as Float32Array).length)
        for (const reply of replies) reply.grads[i]?.forEach((g, k) => (total[k] = (total[k] as number) + g))
        return tf.tensor(Float32Array.from(total, (x) => x / weightSum), (variables[i] as tf.Variable).shape)
      })
      return { reached: reachedIndices.map((i) => variables[i] as tf.Variable), grads, loss: tf.scalar(lossSum / weightSum) }
    },
    evaluate: async (variables, shards) => {
      const { replies } = await dispatch("evaluate", variables, shards)
      return replies.map((r) => (r?.type === "evaluated" ? r.outputs : []))
    },
    workerTensors: () => workers.map((w) => w.numTensors()),
    close: closeAll,
  }
}
