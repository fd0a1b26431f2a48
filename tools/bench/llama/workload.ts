// What the speed benchmark trains and scores, shared by the main thread and the replicas: the
// three adapter methods as the issue fixes them, and deterministic token batches.
import type { Adapter } from "@peftlab/adapters-base"
import { createLora } from "@peftlab/adapters-lora"
import { createPrefixTuning } from "@peftlab/adapters-prefix"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { Rng } from "@peftlab/core"
import type * as tf from "@tensorflow/tfjs"
import type { BaseModel } from "@peftlab/models"

export const methods = ["lora", "prompt", "prefix"] as const
export type Method = (typeof methods)[number]

/** LoRA r=8 (alpha 16) on q, k, v; prompt and prefix tuning with 20 virtual tokens (torch_reference.py's defaults). */
export const createAdapter = (model: BaseModel, method: Method): Adapter => {
  const rng = Rng.seeded(0)
  switch (method) {
    case "lora":
      return createLora(model, { r: 8, loraAlpha: 16, loraDropout: 0, targetModules: ["q_proj", "k_proj", "v_proj"], useRslora: false, bias: "none" }, rng)
    case "prompt":
      return createPromptTuning(model, { numVirtualTokens: 20, init: "random" }, rng)
    case "prefix":
      return createPrefixTuning(model, { numVirtualTokens: 20 }, rng)
  }
}

/** A batch of token ids, row-major [rows, seq], as it crosses to a worker. */
export interface TokenBatch {
  readonly ids: Int32Array
  readonly rows: number
  readonly seq: number
}

/** `rows` sequences of `seq` ids below `vocab`, the same for every run. */
export const tokenBatch = (rows: number, seq: number, vocab: number, seed: number): TokenBatch => {
  const rng = Rng.seeded(seed)
  return { ids: Int32Array.from({ length: rows * seq }, () => Math.floor(rng.next() * vocab)), rows, seq }
}

/** Micro-batches of `rows` rows each (the last may be shorter). */
export const microBatches = (batch: TokenBatch, rows: number): Array<TokenBatch> =>
  Array.from({ length: Math.ceil(batch.rows / rows) }, (_, i) => {
    const count = Math.min(rows, batch.rows - i * rows)
    return { ids: batch.ids.slice(i * rows * batch.seq, (i * rows + count) * batch.seq), rows: count, seq: batch.seq }
  })

/** A scoring pass's total (one value), the tensor freed: what a replica's evaluate returns. */
export const totalOf = async (total: tf.Tensor): Promise<number> => {
  const value = (await total.data())[0]!
  total.dispose()
  return value
}
