// Gradient checkpointing (training.gradient_checkpointing) recomputes each layer in the backward
// pass. It must change nothing but memory: on every architecture (the Llama family, Falcon,
// GPT-2, T5, BERT and Megatron-BERT), the loss and the gradients of LoRA (with dropout on, so the
// recomputation must redraw the same masks), prefix tuning (per-layer keys and values as inputs
// of each checkpointed layer), prompt tuning and full fine-tuning (a trainable copy of the base,
// which keeps the original's setting) equal those without it, on cpu; and it leaks no tensor.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { frozenBase, unfreezeBase, type Adapter } from "@peftlab/adapters-base"
import { createLora } from "@peftlab/adapters-lora"
import { createPrefixTuning } from "@peftlab/adapters-prefix"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { Rng } from "@peftlab/core"
import { loadModel, type BaseModel } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"
import { passOutput } from "./pass-output.ts"

const checkpointable: TinyArchitecture[] = ["llama", "mistral", "qwen2", "falcon", "gpt2", "t5", "bert", "megatron-bert"]

const adapters: Record<string, (model: BaseModel) => Adapter> = {
  "lora with dropout": (model) =>
    createLora(model, { r: 4, loraAlpha: 8, loraDropout: 0.3, targetModules: ".*(q_proj|v_proj|down_proj|query_key_value|dense_4h_to_h|SelfAttention\\.q|EncDecAttention\\.v|DenseReluDense\\.wo|c_attn|mlp\\.c_proj|self\\.query|output\\.dense)", useRslora: false, bias: "none" }, Rng.seeded(3)),
  prefix: (model) => createPrefixTuning(model, { numVirtualTokens: 3 }, Rng.seeded(3)),
  prompt: (model) => createPromptTuning(model, { numVirtualTokens: 2, init: "random" }, Rng.seeded(3)),
  "fine-tune": (model) => unfreezeBase(frozenBase(), model),
}

/** The loss and every trainable variable's gradient, with B of LoRA moved off zero so every path carries gradient. */
const lossAndGradients = async (model: BaseModel, make: (model: BaseModel) => Adapter) => {
  const adapter = make(model)
  adapter.setTraining?.(true)
  for (const variable of adapter.trainable) tf.tidy(() => variable.assign(variable.add(tf.randomNormal(variable.shape, 0, 0.05, "float32", 11))))
  const { value, grads } = tf.variableGrads(() => passOutput(model, adapter).square().mean() as tf.Scalar, [...adapter.trainable])
  const result = { loss: (await value.data())[0]!, gradients: await Promise.all(adapter.trainable.map((v) => grads[v.name]!.data())) }
  tf.dispose([value, ...Object.values(grads)])
  adapter.dispose()
  return result
}

describe("gradient checkpointing (cpu)", () => {
  beforeAll(() => cpu.setup())

  it.each(checkpointable.flatMap((a) => Object.keys(adapters).map((name) => [a, name] as const)))("%s with %s: the same loss and gradients as without it", async (architecture, name) => {
    const model = await Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture, 2)))
    const switch_ = model.gradientCheckpointing!
    const plain = await lossAndGradients(model, adapters[name]!)
    const tensors = tf.memory().numTensors
    switch_.enabled = true
    const checkpointed = await lossAndGradients(model, adapters[name]!)
    switch_.enabled = false
    expect(tf.memory().numTensors).toBe(tensors)
    expect(checkpointed.loss).toBe(plain.loss)
    expect(plain.gradients.length).toBeGreaterThan(0)
    checkpointed.gradients.forEach((gradient, i) => {
      const want = plain.gradients[i]!
      const scale = Math.max(...Array.from(want, Math.abs))
      expect(scale).toBeGreaterThan(0)
      // The recomputation repeats the same float32 ops; only gradient summation order may differ.
      for (let j = 0; j < want.length; j++) expect(Math.abs(gradient[j]! - want[j]!)).toBeLessThanOrEqual(1e-6 * scale)
    })
    model.dispose()
  })
})
