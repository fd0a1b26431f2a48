// A correctness check of the webgpu placement at a real model's shape, too slow for the test
// suite: one QLoRA step (r=8 on q, k, v; NF4 base quantized while loading; a 1×16-token batch) of
// a random TinyLlama-1.1B-shaped bf16 checkpoint on webgpu (Mesa's lavapipe on a machine without
// a GPU) and on wasm's host placement, printing both losses and the largest gradient difference.
// On webgpu the linear weights are NF4 codes on the device, the token embedding and lm_head their
// stored bf16 bytes (32000×2048: 131 MB each, which one 128 MiB binding holds; pass
// --max-tile-bytes 67108864 to have them split in vocabulary tiles as a larger vocabulary would).
//   node tools/bench/large/webgpu-check.ts [--tokens 16] [--max-tile-bytes N]
// The checkpoint is benchCheckpoint's (run.ts): written once under the temp folder, reused after.
import { join } from "node:path"
import { parseArgs } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { causalNextTokenLosses } from "@peftlab/adapters-base"
import { createLora } from "@peftlab/adapters-lora"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import { Rng } from "@peftlab/core"
import { isDeviceMatrix, loadModel, type CausalLM, type Placement } from "@peftlab/models"
import { benchCheckpoint } from "./run.ts"

const { values: args } = parseArgs({ options: { tokens: { type: "string", default: "16" }, "max-tile-bytes": { type: "string" } } })
const tokens = Number(args.tokens)
const maxTileBytes = args["max-tile-bytes"] === undefined ? undefined : Number(args["max-tile-bytes"])
const GB = 1e9

interface Step {
  readonly loss: number
  readonly gradients: ReadonlyArray<Float32Array>
  readonly loadMs: number
  readonly stepMs: number
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Loads the checkpoint with `placement` on the current backend and runs one QLoRA forward and backward pass. */
const qloraStep = async (checkpoint: string, placement: Placement): Promise<Step> => {
  const loading = performance.now()
  const model = (await Effect.runPromise(loadModel(checkpoint, placement))) as CausalLM
  const loadMs = performance.now() - loading
  const tiles = [...model.parameters].filter(([, p]) => isDeviceMatrix(p) && p.storage !== "NF4").map(([name, p]) => `${name}: ${isDeviceMatrix(p) && p.storage !== "NF4" ? p.tiles.length : 0} tile(s)`)
  if (tiles.length > 0) console.log(`  ${tf.getBackend()}: ${tiles.join(", ")}`)
  const adapter = createLora(model, { r: 8, loraAlpha: 16, loraDropout: 0, targetModules: ["q_proj", "k_proj", "v_proj"], useRslora: false, bias: "none" }, Rng.seeded(0))
  // B starts at zero, which would leave A's gradients zero: move every variable off its start (seeded, the same on both backends).
  for (const [i, v] of adapter.trainable.entries()) {
    const moved = tf.tidy(() => v.add(tf.randomNormal(v.shape, 0, 0.01, "float32", i + 1)))
    v.assign(moved)
    moved.dispose()
  }
  const rng = Rng.seeded(7)
  const ids = tf.tensor2d(Int32Array.from({ length: tokens }, () => rng.int(32000)), [1, tokens], "int32")
  const mask = tf.ones([1, tokens], "int32") as tf.Tensor2D
  const stepping = performance.now()
  const { value, grads } = tf.variableGrads(() => causalNextTokenLosses(model, adapter, ids, mask).mean() as tf.Scalar, adapter.trainable as Array<tf.Variable>)
  const loss = (await value.data())[0] as number
  const gradients = await Promise.all(adapter.trainable.map((v) => grads[v.name]!.data() as Promise<Float32Array>))
  const stepMs = performance.now() - stepping
  tf.dispose([value, ids, mask, ...Object.values(grads)])
  adapter.dispose()
  model.dispose()
  return { loss, gradients, loadMs, stepMs }
}

const checkpoint = await benchCheckpoint("tinyllama-1.1b", join(import.meta.dirname, "..", "configs", "tinyllama-1.1b.json"), 10 * GB)
const quantize = { type: "nf4" } as const

await wasm.setup()
console.log(`wasm (host placement, NF4 codes on the host): loading ${checkpoint}`)
const want = await qloraStep(checkpoint, { weights: "host", quantize })
console.log(`  loaded in ${seconds(want.loadMs)}, step in ${seconds(want.stepMs)}, loss ${want.loss}`)

await webgpu.setup()
console.log(`webgpu (device placement: NF4 codes and bf16 tables on the device${maxTileBytes ? `, tiles of at most ${maxTileBytes} bytes` : ""})`)
const got = await qloraStep(checkpoint, { weights: "device", quantize, ...(maxTileBytes !== undefined && { maxTileBytes }) })
console.log(`  loaded in ${seconds(got.loadMs)}, step in ${seconds(got.stepMs)}, loss ${got.loss}`)

let [difference, largest] = [0, 0]
for (const [i, g] of want.gradients.entries()) {
  for (let j = 0; j < g.length; j++) {
    difference = Math.max(difference, Math.abs((got.gradients[i]![j] as number) - (g[j] as number)))
    largest = Math.max(largest, Math.abs(g[j] as number))
  }
}
console.log(
  `loss: wasm ${want.loss}, webgpu ${got.loss}, |difference| ${Math.abs(got.loss - want.loss).toExponential(2)}; ` +
    `LoRA gradients (${want.gradients.length} tensors): max |difference| ${difference.toExponential(2)}, max |gradient| ${largest.toExponential(2)}, relative ${(difference / largest).toExponential(2)}; ` +
    `peak RSS ${((process.resourceUsage().maxRSS * 1024) / GB).toFixed(2)} GB (lavapipe's device memory is the process's)`,
)
