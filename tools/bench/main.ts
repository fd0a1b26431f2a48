// `npm run bench`: training throughput and per-example scoring latency of the quickstart
// setup (stories260k + prompt tuning on PubMedQA prompts) on each CPU backend, with ratios
// against the pure-JS cpu backend measured in the same run; then the wasm plugin's matMul
// against tfjs-backend-wasm's own. A benchmark, not a test.
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { Events, Rng, type BackendPlugin } from "@peftlab/core"
import { latencyStats, scoreLabels } from "@peftlab/evaluators"
import { loadCausalLM } from "@peftlab/models"
import { classificationTraining, encodedTask, prepareData } from "@peftlab/runner"
import { loadSpec } from "@peftlab/spec"
import { loadTokenizer } from "@peftlab/tokenizers"
import { train } from "@peftlab/trainer"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { wasmMatMulTimings } from "./wasm-kernels.ts"

interface Measurement {
  readonly backend: string
  readonly trainTokensPerSecond: number
  readonly scoring: ReturnType<typeof latencyStats>
}

const silent = Layer.succeed(Events, { emit: () => Effect.void })

// The pure-JS backend is ~30x slower, so it gets a smaller (still steady-state) workload.
const workload = { cpu: { trainExamples: 16, scored: 8 }, wasm: { trainExamples: 64, scored: 40 } } as const

const measure = (plugin: BackendPlugin, specFile: string) =>
  Effect.gen(function* () {
    yield* Effect.promise(plugin.setup)
    const { spec } = yield* loadSpec(specFile)
    const data = yield* prepareData(spec)
    const tokenizer = yield* loadTokenizer(spec.model.path)
    const model = yield* loadCausalLM(spec.model.path)
    const task = encodedTask(spec, tokenizer, data.labels)
    const size = workload[plugin.name as keyof typeof workload]
    const trainSet = yield* task.encode(data.splits.train.slice(0, size.trainExamples))
    const scored = yield* task.encode(data.splits.test.slice(0, size.scored))
    const adapter = createPromptTuning(model, { numVirtualTokens: 8, init: "random" }, Rng.seeded(1))
    const setup = { model, adapter, task, padId: tokenizer.padId, batchSize: spec.training.batch_size }

    // Warm up kernels (wasm compiles on first use), then time one epoch.
    scoreLabels(model, adapter, [scored[0]!.prompt], task.labelIds, tokenizer.padId)
    const training = classificationTraining(setup, trainSet, [], "loss")
    const summary = yield* train(adapter.trainable, { ...training, validate: () => Effect.succeed({ metric: "none", value: 0, higherIsBetter: true }) }, {
      arm: "bench", epochs: 1, batchSize: spec.training.batch_size, lr: 0.01, weightDecay: 0, rng: Rng.seeded(2),
    }).pipe(Effect.provide(silent))
    const tokens = summary.steps.reduce((s, step) => s + step.tokens, 0)
    const ms = summary.steps.reduce((s, step) => s + step.ms, 0)

    const latencies = scored.map((example) => {
      const started = performance.now()
      scoreLabels(model, adapter, [example.prompt], task.labelIds, tokenizer.padId)
      return performance.now() - started
    })
    adapter.dispose()
    model.dispose()
    return { backend: plugin.name, trainTokensPerSecond: (tokens / ms) * 1000, scoring: latencyStats(latencies) } satisfies Measurement
  })

const specFile = join(import.meta.dirname, "..", "..", "specs", "quickstart.yaml")
if (!process.env.PEFTLAB_DATA || !process.env.PEFTLAB_MODELS) {
  console.log("bench: set PEFTLAB_DATA and PEFTLAB_MODELS (e.g. ../shared/data and ../shared/models)")
  process.exit(2)
}

// tfjs-backend-wasm registers its kernels when imported; the plugin's setup replaces BatchMatMul.
await import("@tensorflow/tfjs-backend-wasm")
const stockMatMul = tf.getKernel("BatchMatMul", "wasm")

const results: Array<Measurement> = []
for (const plugin of [cpu, wasm]) {
  const probe = await plugin.probe()
  if (!probe.available) {
    console.log(`${plugin.name}: unavailable (${probe.reason})`)
    continue
  }
  results.push(await Effect.runPromise(measure(plugin, specFile)))
  console.log(`${plugin.name}: measured (tf.memory: ${tf.memory().numTensors} tensors left)`)
}

const baseline = results.find((r) => r.backend === "cpu")
const ratio = (value: number | undefined, base: number | undefined) =>
  value !== undefined && base !== undefined ? `${(value / base).toFixed(2)}x` : "n/a"
console.log("\n| backend | train tokens/s | vs cpu | scoring ms/example mean | p50 | p95 | speed-up vs cpu |")
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for (const r of results) {
  console.log(
    `| ${r.backend} | ${r.trainTokensPerSecond.toFixed(0)} | ${ratio(r.trainTokensPerSecond, baseline?.trainTokensPerSecond)} | ` +
      `${r.scoring.mean.toFixed(2)} | ${r.scoring.p50.toFixed(2)} | ${r.scoring.p95.toFixed(2)} | ${ratio(baseline?.scoring.mean, r.scoring.mean)} |`,
  )
}

if (stockMatMul && results.some((r) => r.backend === "wasm")) {
  const timings = await wasmMatMulTimings(stockMatMul)
  console.log("\n| wasm matMul | tfjs-backend-wasm ms | peftlab plugin ms | speed-up |")
  console.log("| --- | ---: | ---: | ---: |")
  for (const t of timings) console.log(`| ${t.product} | ${t.stockMs.toFixed(1)} | ${t.pluginMs.toFixed(1)} | ${ratio(t.stockMs, t.pluginMs)} |`)
}
