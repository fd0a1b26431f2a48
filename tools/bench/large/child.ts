// One large-model case in a process of its own, so that its peak RSS (worker threads included)
// is that case's alone: training steps and scoring through the data-parallel pool, timed as the
// small rows are (measure-peftlab.ts), then the process's peak RSS. Prints one JSON line.
// With more than one worker, the main thread loads the base first, as `peftlab run` does, and
// the workers build theirs over its shared matrices: one copy of the frozen base in the process.
//   node tools/bench/large/child.ts '<LargeCase JSON>' <checkpoint folder> <vocab size>
import { Effect } from "effect"
import { loadModel, sharedMatrices, type Placement } from "@peftlab/models"
import { measurePeftlab } from "../llama/measure-peftlab.ts"
import { tokenBatch } from "../llama/workload.ts"
import type { LargeCase } from "./cases.ts"

const [caseJson, checkpoint, vocab] = process.argv.slice(2)
const large = JSON.parse(caseJson!) as LargeCase
const started = performance.now()
const placement: Placement = large.base === "nf4" ? { quantize: { type: "nf4" } } : { weights: "host" }
const base = large.workers > 1 ? await Effect.runPromise(loadModel(checkpoint!, placement)) : undefined
const timing = await measurePeftlab({
  checkpoint: checkpoint!,
  method: large.method,
  backend: large.backend,
  workers: large.workers,
  batch: tokenBatch(large.rows, large.seq, Number(vocab), 1),
  microRows: 1,
  steps: 1,
  warmup: 1,
  load: base ? { ...placement, shared: sharedMatrices(base.parameters) } : placement,
  gradientCheckpointing: large.gradientCheckpointing,
  ...(large.family === "seq2seq" && { replica: new URL("./seq2seq-replica.ts", import.meta.url) }),
})
base?.dispose()
console.log(JSON.stringify({ ...timing, totalMs: performance.now() - started, maxRssBytes: process.resourceUsage().maxRSS * 1024 }))
