// One large-model case in a process of its own, so that its peak RSS (worker threads included)
// is that case's alone: training steps and scoring through the data-parallel pool, timed as the
// small rows are (measure-peftlab.ts), then the process's peak RSS. Prints one JSON line.
//   node tools/bench/large/child.ts '<LargeCase JSON>' <checkpoint folder> <vocab size>
import { measurePeftlab } from "../llama/measure-peftlab.ts"
import { tokenBatch } from "../llama/workload.ts"
import type { LargeCase } from "./cases.ts"

const [caseJson, checkpoint, vocab] = process.argv.slice(2)
const large = JSON.parse(caseJson!) as LargeCase
const started = performance.now()
const timing = await measurePeftlab({
  checkpoint: checkpoint!,
  method: large.method,
  backend: "wasm",
  workers: large.workers,
  batch: tokenBatch(large.rows, large.seq, Number(vocab), 1),
  microRows: 1,
  steps: 1,
  load: large.base === "nf4" ? { quantize: { type: "nf4" } } : { weights: "host" },
  gradientCheckpointing: large.gradientCheckpointing,
  ...(large.family === "seq2seq" && { replica: new URL("./seq2seq-replica.ts", import.meta.url) }),
})
console.log(JSON.stringify({ ...timing, totalMs: performance.now() - started, maxRssBytes: process.resourceUsage().maxRSS * 1024 }))
