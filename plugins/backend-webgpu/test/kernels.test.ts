// End to end: a tiny Llama with LoRA (and with QLoRA) gives on webgpu the logits it gives on cpu,
// and tf.profile shows that the forward pass went through @peftlab/gpu-kernels' kernels, which
// setup() registers. Each backend loads its own copy of the model (tfjs moves a tensor between
// backends by a synchronous read, which webgpu cannot do).
import { rmSync } from "node:fs"
import * as tf from "@tensorflow/tfjs"
import { causalLogits } from "@peftlab/adapters-base"
import { createLora } from "@peftlab/adapters-lora"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng, type BackendPlugin } from "@peftlab/core"
import { flashAttentionKernelName, loraLinearKernelName, nf4MatMulKernelName, rmsNormKernelName } from "@peftlab/gpu-kernels"
import { loadCausalLM, quantizeModelLinears } from "@peftlab/models"
import { writeTinyCheckpoint } from "@peftlab/testkit"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { plugin as webgpu } from "../src/index.ts"

const probe = await webgpu.probe()
if (!probe.available) console.warn(`skipping the webgpu kernel checks: ${probe.reason}`)

const dir = probe.available ? await writeTinyCheckpoint("llama", 4) : ""
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true })
})

// Two rows, the second left-padded by two tokens.
const ids = [[1, 9, 17, 33, 5, 41], [0, 0, 1, 12, 60, 7]]
const mask = [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]]
const config = { r: 4, loraAlpha: 8, loraDropout: 0, targetModules: ["q_proj", "v_proj"], useRslora: false, bias: "none" } as const

/** The logits of the tiny Llama with LoRA (B set to seeded random values) on `backend`, NF4 base first if `qlora`. */
const loraLogits = (backend: BackendPlugin, qlora: boolean) => async (): Promise<Float32Array> => {
  await backend.setup()
  const model = await Effect.runPromise(loadCausalLM(dir))
  const quantized = qlora ? await quantizeModelLinears(model) : undefined
  const adapter = createLora(model, config, Rng.seeded(5))
  let seed = 10
  for (const module of adapter.modules.values()) tf.tidy(() => module.loraB.assign(tf.randomNormal(module.loraB.shape, 0, 0.5, "float32", seed++)))
  const logits = tf.tidy(() => causalLogits(model, adapter, tf.tensor2d(ids, undefined, "int32"), tf.tensor2d(mask, undefined, "int32")))
  const values = (await logits.data()) as Float32Array
  tf.dispose(logits)
  adapter.dispose()
  quantized?.restore()
  model.dispose()
  return values
}

/** max |webgpu - cpu| over the positions the mask keeps (padding positions' logits are nobody's). */
const maxAbsDiffOnTokens = (got: Float32Array, reference: Float32Array): number => {
  expect(got).toHaveLength(reference.length)
  const perPosition = reference.length / mask.flat().length
  return mask.flat().reduce((max, kept, position) => {
    if (kept === 0) return max
    const offsets = Array.from({ length: perPosition }, (_, j) => position * perPosition + j)
    return Math.max(max, ...offsets.map((i) => Math.abs((got[i] as number) - (reference[i] as number))))
  }, 0)
}

describe.skipIf(!probe.available)("the models and adapters on webgpu's kernels", () => {
  for (const [name, qlora, kernels] of [
    ["LoRA", false, [rmsNormKernelName, loraLinearKernelName, flashAttentionKernelName]],
    ["QLoRA (NF4 base)", true, [rmsNormKernelName, nf4MatMulKernelName, flashAttentionKernelName]],
  ] as const) {
    it(`tiny Llama with ${name}: the logits of cpu within 1e-4, through the ${kernels.join(" and ")} kernels`, async () => {
      const reference = await loraLogits(cpu, qlora)()
      const profile = await tf.profile(loraLogits(webgpu, qlora))
      for (const kernel of kernels) expect(profile.kernelNames).toContain(kernel)
      const diff = maxAbsDiffOnTokens(profile.result as unknown as Float32Array, reference)
      console.log(`tiny Llama with ${name}: max |logit - cpu's| ${diff.toExponential(2)}`)
      expect(diff).toBeLessThan(1e-4)
    })
  }
})
