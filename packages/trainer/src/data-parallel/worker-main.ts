// A data-parallel worker: builds its replica from the module it is given, then for each step
// takes the current weights and its shard of micro-batches and answers with the weighted sums
// of gradients and losses. Runs as plain Node (type stripping), in its own tfjs instance.
import * as tf from "@tensorflow/tfjs"
import { parentPort, workerData } from "node:worker_threads"
import { gradientSums } from "../gradients.ts"
import type { CreateReplica, Replica } from "./replica.ts"
import type { StepRequest, WorkerInit, WorkerReply } from "./protocol.ts"

const port = parentPort!
const { module, init, threads } = workerData as WorkerInit

const failed = (error: unknown): WorkerReply => ({
  type: "failed",
  detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
})

const evaluated = async (replica: Replica<unknown>, micro: StepRequest["micro"]): Promise<WorkerReply> => {
  const evaluate = replica.evaluate?.bind(replica)
  if (!evaluate) throw new Error("the replica module's replica has no evaluate(batch)")
  const outputs: Array<unknown> = []
  for (const batch of micro) outputs.push(await evaluate(batch))
  return { type: "evaluated", outputs, numTensors: tf.memory().numTensors }
}

const step = async (replica: Replica<unknown>, { kind, weights, micro }: StepRequest): Promise<WorkerReply> => {
  const { variables } = replica
  tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(weights[i] as Float32Array, v.shape))))
  if (kind === "evaluate") return evaluated(replica, micro)
  // The tidy frees the partial sums when the replica throws half-way through the shard.
  const sums = tf.tidy(() => ({ ...gradientSums(variables, (b) => replica.loss(b), micro, (b) => replica.weight(b)) }))
  const [grads, lossSum] = await Promise.all([
    Promise.all(sums.grads.map((g) => g.data() as Promise<Float32Array>)),
    sums.loss.data(),
  ]).finally(() => tf.dispose([...sums.grads, sums.loss]))
  return {
    type: "result",
    // Copies: a backend may hand out its own storage, which must not be transferred away.
    grads: variables.map((v) => {
      const i = sums.reached.indexOf(v)
      return i < 0 ? null : (grads[i] as Float32Array).slice()
    }),
    lossSum: lossSum[0] as number,
    weightSum: sums.weight,
    numTensors: tf.memory().numTensors,
  }
}

const post = (reply: WorkerReply) =>
  port.postMessage(reply, reply.type === "result" ? reply.grads.flatMap((g) => (g ? [g.buffer as ArrayBuffer] : [])) : [])

try {
  const create = (await import(module)).default as CreateReplica<unknown>
  const replica = await create(init, { threads })
  // One step at a time, in arrival order: each step assigns the weights it was sent.
  let queue = Promise.resolve()
  port.on("message", (request: StepRequest) => {
    queue = queue.then(() => step(replica, request).catch(failed)).then(post)
  })
  const values = await Promise.all(replica.variables.map(async (v) => ((await v.data()) as Float32Array).slice()))
  post({ type: "ready", shapes: replica.variables.map((v) => [...v.shape]), values, numTensors: tf.memory().numTensors })
} catch (error) {
  post(failed(error))
}
