// The large-model rows of `npm run bench -- --models tinyllama-1.1b,mistral-7b,flan-t5-xl`: random
// checkpoints of the real shapes, written in bf16 and sharded as the hub ships them, trained and
// scored on the CPU within a memory budget (peak RSS of the whole process, worker threads included).
// Decoder-only models train on next-token loss; FLAN-T5 (an encoder-decoder) on a short target
// after a long source (seq2seq-replica.ts).
import { join } from "node:path"
import type { Method } from "../llama/workload.ts"

export interface LargeCase {
  /** Row name, e.g. "tinyllama-1.1b qlora". */
  readonly name: string
  readonly model: string
  readonly config: string
  /** "causal": next-token loss over the whole row; "seq2seq": the row is the source of a short target. */
  readonly family: "causal" | "seq2seq"
  readonly method: Method
  /** How the base is held: "nf4" quantized while loading (QLoRA), "bf16" as stored. */
  readonly base: "nf4" | "bf16"
  /** The CPU backend: wasm (the default) or native (matrix products on @peftlab/native-gemm). */
  readonly backend: "wasm" | "native"
  readonly rows: number
  readonly seq: number
  readonly workers: number
  readonly gradientCheckpointing: boolean
  /** The acceptance bound on peak RSS, in bytes. */
  readonly maxRssBytes: number
  /** Largest shard, as `npm run checkpoint -- --max-shard-size` (the hub's own for the model). */
  readonly maxShardBytes: number
  /** Run by a plain `npm run bench` (no --models): the TinyLlama-1.1B rows on native, minutes each rather than tens. */
  readonly byDefault?: boolean
}

const config = (name: string) => join(import.meta.dirname, "..", "configs", `${name}.json`)
const GB = 1e9

export const largeCases: ReadonlyArray<LargeCase> = [
  { name: "tinyllama-1.1b qlora", model: "tinyllama-1.1b", config: config("tinyllama-1.1b"), family: "causal", method: "lora", base: "nf4", backend: "wasm", rows: 1, seq: 256, workers: 2, gradientCheckpointing: true, maxRssBytes: 6 * GB, maxShardBytes: 10 * GB },
  { name: "tinyllama-1.1b lora", model: "tinyllama-1.1b", config: config("tinyllama-1.1b"), family: "causal", method: "lora", base: "bf16", backend: "wasm", rows: 1, seq: 256, workers: 2, gradientCheckpointing: true, maxRssBytes: 8 * GB, maxShardBytes: 10 * GB },
  { name: "tinyllama-1.1b prompt", model: "tinyllama-1.1b", config: config("tinyllama-1.1b"), family: "causal", method: "prompt", base: "bf16", backend: "wasm", rows: 1, seq: 256, workers: 2, gradientCheckpointing: true, maxRssBytes: 8 * GB, maxShardBytes: 10 * GB },
  { name: "tinyllama-1.1b prefix", model: "tinyllama-1.1b", config: config("tinyllama-1.1b"), family: "causal", method: "prefix", base: "bf16", backend: "wasm", rows: 1, seq: 256, workers: 2, gradientCheckpointing: true, maxRssBytes: 8 * GB, maxShardBytes: 10 * GB },
  // One row: one worker, its matrix products on all the cores (the native GEMM's threads, its share
  // of them), rather than two workers of which one would idle; without gradient checkpointing, as
  // PyTorch runs: peak RSS 2.5 GB (QLoRA) and 3.6-3.9 GB measured, within the bounds.
  { name: "tinyllama-1.1b qlora native", model: "tinyllama-1.1b", config: config("tinyllama-1.1b"), family: "causal", method: "lora", base: "nf4", backend: "native", rows: 1, seq: 256, workers: 1, gradientCheckpointing: false, maxRssBytes: 6 * GB, maxShardBytes: 10 * GB, byDefault: true },
  { name: "tinyllama-1.1b lora native", model: "tinyllama-1.1b", config: config("tinyllama-1.1b"), family: "causal", method: "lora", base: "bf16", backend: "native", rows: 1, seq: 256, workers: 1, gradientCheckpointing: false, maxRssBytes: 8 * GB, maxShardBytes: 10 * GB, byDefault: true },
  { name: "tinyllama-1.1b prompt native", model: "tinyllama-1.1b", config: config("tinyllama-1.1b"), family: "causal", method: "prompt", base: "bf16", backend: "native", rows: 1, seq: 256, workers: 1, gradientCheckpointing: false, maxRssBytes: 8 * GB, maxShardBytes: 10 * GB, byDefault: true },
  { name: "tinyllama-1.1b prefix native", model: "tinyllama-1.1b", config: config("tinyllama-1.1b"), family: "causal", method: "prefix", base: "bf16", backend: "native", rows: 1, seq: 256, workers: 1, gradientCheckpointing: false, maxRssBytes: 8 * GB, maxShardBytes: 10 * GB, byDefault: true },
  { name: "mistral-7b qlora", model: "mistral-7b", config: config("mistral-7b"), family: "causal", method: "lora", base: "nf4", backend: "wasm", rows: 1, seq: 128, workers: 1, gradientCheckpointing: true, maxRssBytes: 16 * GB, maxShardBytes: 5 * GB },
  { name: "flan-t5-xl prompt", model: "flan-t5-xl", config: config("flan-t5-xl"), family: "seq2seq", method: "prompt", base: "bf16", backend: "wasm", rows: 1, seq: 256, workers: 1, gradientCheckpointing: false, maxRssBytes: 16 * GB, maxShardBytes: 5 * GB },
  { name: "flan-t5-xl prefix", model: "flan-t5-xl", config: config("flan-t5-xl"), family: "seq2seq", method: "prefix", base: "bf16", backend: "wasm", rows: 1, seq: 256, workers: 1, gradientCheckpointing: false, maxRssBytes: 16 * GB, maxShardBytes: 5 * GB },
]

export const largeModelNames: ReadonlySet<string> = new Set(largeCases.map((c) => c.model))
