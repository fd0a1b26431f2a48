// What the frozen-activation cache (training.activation_cache_mb; @peftlab/models'
// layers/frozen-activations.ts) saves: LoRA (r=8 on q, k, v) on the top quarter of the layers,
// trained 3 epochs on rows of mixed lengths with the trainer's own loop, uncached then cached,
// each in a process of its own for its wall time and peak RSS; and whether both runs end with
// the same adapter bytes. A benchmark, not a test.
//
//   node tools/bench/activation-cache.ts [--models stories260k,smollm2-135m] [--backend wasm]
//        [--examples 16] [--tokens 128] [--batch 4] [--epochs 3]
// stories260k is the real model under $PEFTLAB_MODELS; smollm2-135m a random model of its shape
// (configs/smollm2-135m.json), written once to the temp folder.
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs, promisify } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { createLora } from "@peftlab/adapters-lora"
import { Events, Rng } from "@peftlab/core"
import { continuationNll } from "@peftlab/evaluators"
import { frozenActivationCache, loadCausalLM, writeRandomCheckpoint, type FrozenActivationStats } from "@peftlab/models"
import { train } from "@peftlab/trainer"
import { setUpBackend } from "./llama/backends.ts"

const { values: args } = parseArgs({
  options: {
    models: { type: "string", default: "stories260k,smollm2-135m" },
    backend: { type: "string", default: "wasm" },
    examples: { type: "string", default: "16" },
    tokens: { type: "string", default: "128" },
    batch: { type: "string", default: "4" },
    epochs: { type: "string", default: "3" },
    // Internal: one measured run, in this process.
    child: { type: "string" },
    cached: { type: "boolean", default: false },
  },
})

interface RunResult {
  readonly wallMs: number
  readonly peakRssMb: number
  readonly adapterSha256: string
  readonly layers: string
  readonly cache?: FrozenActivationStats
}

const modelDir = async (name: string): Promise<string> => {
  if (name === "stories260k") {
    const shared = process.env.PEFTLAB_MODELS
    if (!shared) throw new Error("PEFTLAB_MODELS is unset: it names the folder holding stories260k")
    return join(shared, "stories260k")
  }
  const dir = join(tmpdir(), "peftlab-bench-activation-cache", name)
  if (!existsSync(join(dir, "model.safetensors"))) {
    const config = JSON.parse(readFileSync(join(import.meta.dirname, "configs", `${name}.json`), "utf8"))
    await Effect.runPromise(writeRandomCheckpoint(dir, config, 0))
  }
  return dir
}

/** Rows of `tokens / 2` to `tokens` random ids, the last 16 the answer, the same for every run. */
const examplesFor = (count: number, tokens: number, vocab: number) => {
  const rng = Rng.seeded(7)
  return Array.from({ length: count }, () => {
    const length = Math.floor(tokens / 2 + rng.next() * (tokens / 2 + 1))
    const ids = Array.from({ length }, () => 3 + Math.floor(rng.next() * (vocab - 3)))
    return { prompt: ids.slice(0, -16), continuation: ids.slice(-16) }
  })
}

const measure = async (name: string, cached: boolean): Promise<RunResult> => {
  await setUpBackend(args.backend)
  const model = await Effect.runPromise(loadCausalLM(await modelDir(name)))
  const layers = model.dims.num_hidden_layers
  const top = Array.from({ length: Math.max(1, Math.floor(layers / 4)) }, (_, i) => layers - 1 - i).reverse()
  const rng = Rng.seeded(0)
  const adapter = createLora(model, { r: 8, loraAlpha: 16, loraDropout: 0, targetModules: ["q_proj", "k_proj", "v_proj"], layersToTransform: top, useRslora: false, bias: "none" }, rng)
  const cache = cached ? frozenActivationCache(1024, model.linears.values()) : undefined
  model.frozenActivations!.cache = cache
  const examples = examplesFor(Number(args.examples), Number(args.tokens), model.dims.vocab_size)
  const started = performance.now()
  await Effect.runPromise(
    train(
      adapter.trainable,
      {
        examples,
        loss: (batch) => continuationNll(model, adapter, batch, 0),
        tokens: () => 0,
        validate: (epoch) => Effect.succeed({ metric: "epoch", value: epoch, higherIsBetter: true }),
      },
      { arm: "bench", epochs: Number(args.epochs), batchSize: Number(args.batch), lr: 1e-3, weightDecay: 0, rng },
    ).pipe(Effect.provide(Layer.succeed(Events, { emit: () => Effect.void }))),
  )
  const wallMs = performance.now() - started
  const hash = createHash("sha256")
  for (const v of adapter.trainable) hash.update(new Uint8Array((await v.data()).buffer))
  return {
    wallMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    adapterSha256: hash.digest("hex"),
    layers: `${top.join(",")} of ${layers}`,
    ...(cache && { cache: cache.stats() }),
  }
}

const inChild = async (name: string, cached: boolean): Promise<RunResult> => {
  const flags = ["--child", name, ...(cached ? ["--cached"] : []), ...["backend", "examples", "tokens", "batch", "epochs"].flatMap((k) => [`--${k}`, String(args[k as keyof typeof args])])]
  const { stdout } = await promisify(execFile)(process.execPath, [import.meta.filename, ...flags], { maxBuffer: 1 << 24 })
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as RunResult
}

if (args.child !== undefined) {
  console.log(JSON.stringify(await measure(args.child, args.cached)))
  tf.disposeVariables()
} else {
  console.log(`| model | backend | LoRA layers | examples x tokens, batch, epochs | uncached s | cached s | speed-up | peak RSS uncached / cached MB | rows served / computed | same adapter bytes |`)
  console.log(`|---|---|---|---|---|---|---|---|---|---|`)
  for (const name of args.models.split(",")) {
    const uncached = await inChild(name, false)
    const cached = await inChild(name, true)
    const stats = cached.cache as FrozenActivationStats
    const cells = [
      name,
      args.backend,
      uncached.layers,
      `${args.examples} x ${Number(args.tokens) / 2}-${args.tokens}, ${args.batch}, ${args.epochs}`,
      (uncached.wallMs / 1000).toFixed(1),
      (cached.wallMs / 1000).toFixed(1),
      `${(uncached.wallMs / cached.wallMs).toFixed(2)}x`,
      `${uncached.peakRssMb.toFixed(0)} / ${cached.peakRssMb.toFixed(0)}`,
      `${stats.hits} / ${stats.misses}`,
      uncached.adapterSha256 === cached.adapterSha256 ? "yes" : "NO",
    ]
    console.log(`| ${cells.join(" | ")} |`)
  }
}
