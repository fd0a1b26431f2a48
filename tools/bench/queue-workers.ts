// A 6-arm grid on the queue (issue 19), on 1 worker and then on 2: a LoRA sweep on stories260k
// with the quickstart data (r 2/4/8 × lr 0.01/0.05, 64 training examples, 2 epochs, so that one
// arm trains for some seconds; the base arm, the baseline, is a seventh job that only evaluates), submitted with `peftlab run --queue` to a redis-server of its own
// (127.0.0.1, a free port, no persistence), with `peftlab worker` processes started beforehand
// (their start is not timed). Prints the wall time of each submit, from start to exit, and their
// ratio. The workers are separate processes on this machine: they share its cores.
//
//   node tools/bench/queue-workers.ts        (Node 22: node_modules/node/bin/node, or npx node)
//
// Needs redis-server on PATH (Debian's redis-server).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parse, stringify } from "yaml"
import { startPeftlab, startWorker, stopProcess } from "../queue/processes.ts"
import { redisMissing, startRedis } from "../queue/redis-server.ts"

const repoRoot = resolve(import.meta.dirname, "..", "..")

const missing = redisMissing()
if (missing !== undefined) throw new Error(missing)

const dir = mkdtempSync(join(tmpdir(), "peftlab-bench-queue-"))
const spec = parse(readFileSync(join(repoRoot, "specs", "quickstart.yaml"), "utf8")) as Record<string, any>
spec.data.path = resolve(repoRoot, spec.data.path)
spec.model.path = resolve(repoRoot, spec.model.path)
spec.data.limit = { train: 64, val: 6, test: 6 }
spec.training.epochs = 2
spec.stats.bootstrap.B = 100
spec.arms = [{ name: "base", kind: "base" }, { name: "lora", kind: "lora", r: 2, lora_alpha: 4, target_modules: ["q_proj", "v_proj"], sweep: { r: [2, 4, 8], "training.lr": [0.01, 0.05] } }]
const specFile = join(dir, "grid.yaml")
writeFileSync(specFile, stringify(spec))

const redis = await startRedis()
const url = redis.url

/** Seconds the submit of the grid takes with `count` workers. */
const timeWith = async (count: number): Promise<number> => {
  const workers = await Promise.all(Array.from({ length: count }, () => startWorker(url)))
  try {
    const began = performance.now()
    const submit = startPeftlab(["run", specFile, "--out", join(dir, `out-${count}`), "--no-tui", "--backend", "wasm", "--queue", url])
    const code = await submit.exited
    const seconds = (performance.now() - began) / 1000
    if (code !== 0) throw new Error(`the submit with ${count} worker(s) exited ${code}:\n${submit.output()}`)
    const arms = workers.map((worker) => (worker.output().match(/: started \(job/g) ?? []).length)
    console.log(`${count} worker(s): ${seconds.toFixed(1)} s (arms per worker: ${arms.join(", ")})`)
    return seconds
  } finally {
    for (const worker of workers) await stopProcess(worker)
  }
}

try {
  console.log(`6-arm LoRA grid on stories260k, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"})`)
  const one = await timeWith(1)
  const two = await timeWith(2)
  console.log(`1 worker vs 2 workers: ${one.toFixed(1)} s vs ${two.toFixed(1)} s, ratio ${(one / two).toFixed(2)}`)
} finally {
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })
}
