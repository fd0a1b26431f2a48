// Every adapter method, and every method over an unfrozen base, trains on every architecture: its
// loss falls on the fixed task, nothing leaks, and the caller's base stays byte-identical (see trainOnFixedTask).
import * as tf from "@tensorflow/tfjs"
import type { Adapter } from "@peftlab/adapters-base"
import { createLora, type LoraConfig } from "@peftlab/adapters-lora"
import { createPrefixTuning } from "@peftlab/adapters-prefix"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { createPTuning } from "@peftlab/adapters-ptuning"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng } from "@peftlab/core"
import { loadModel, quantizeModelLinearsAs, type BaseModel, type QuantizationKind } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { tinyConfigs, trainOnFixedTask, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"
import { unfrozenMethods } from "./unfrozen-methods.ts"

// PEFT's default LoRA targets for each architecture (its TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING).
const loraTargets: Record<TinyArchitecture, string[]> = {
  llama: ["q_proj", "v_proj"],
  mistral: ["q_proj", "v_proj"],
  qwen2: ["q_proj", "v_proj"],
  falcon: ["query_key_value"],
  gpt2: ["c_attn"],
  t5: ["q", "v"],
  bert: ["query", "value"],
  "megatron-bert": ["query", "value"],
}

const loraOn = (model: BaseModel, architecture: TinyArchitecture, variant: Partial<LoraConfig> = {}): Adapter =>
  createLora(model, { r: 4, loraAlpha: 8, loraDropout: 0, targetModules: loraTargets[architecture], useRslora: false, bias: "none", ...variant }, Rng.seeded(3))

/** LoRA over the base's linears quantized as QLoRA (NF4) or LLM.int8 hold them. */
const overQuantized = (kind: QuantizationKind) => async (model: BaseModel, architecture: TinyArchitecture): Promise<Adapter> => {
  await quantizeModelLinearsAs(model, kind)
  return loraOn(model, architecture)
}

const methods: Record<string, (model: BaseModel, architecture: TinyArchitecture) => Adapter | Promise<Adapter>> = {
  prompt: (model) => createPromptTuning(model, { numVirtualTokens: 4, init: "random" }, Rng.seeded(3)),
  prefix: (model) => createPrefixTuning(model, { numVirtualTokens: 4 }, Rng.seeded(3)),
  // Wherever prompt tuning applies: its virtual tokens, computed by PEFT's prompt encoders.
  "p-tuning-mlp": (model) => createPTuning(model, { numVirtualTokens: 4, encoderReparameterizationType: "MLP" }, Rng.seeded(3)),
  "p-tuning-lstm": (model) => createPTuning(model, { numVirtualTokens: 4, encoderReparameterizationType: "LSTM", encoderHiddenSize: 16 }, Rng.seeded(3)),
  lora: (model, architecture) => loraOn(model, architecture),
  // Weight-decomposed LoRA: the same low-rank update, and a learned magnitude per output row.
  dora: (model, architecture) => loraOn(model, architecture, { useDora: true }),
  // PiSSA: A and B from the weight's top singular triplets, the frozen weight the residual (full SVD at these widths).
  pissa: (model, architecture) => loraOn(model, architecture, { initLoraWeights: "pissa" }),
  // LoftQ: the targeted weights held in NF4 codes of the residual the LoftQ loop leaves.
  loftq: (model, architecture) => loraOn(model, architecture, { initLoraWeights: "loftq", loraAlpha: 4 }),
  qlora: overQuantized("nf4"),
  "lora-int8": overQuantized("int8"),
  ...unfrozenMethods,
}

// With every base weight training, the unfrozen methods learn the task in fewer steps.
const epochsOf = (method: string): number => (method in unfrozenMethods ? 12 : 25)

const cases = (Object.keys(tinyConfigs) as TinyArchitecture[]).flatMap((architecture) => Object.keys(methods).map((method) => [architecture, method] as const))

describe("adapters on every architecture (cpu)", () => {
  beforeAll(() => cpu.setup())

  it.each(cases)("%s + %s: the loss falls, nothing leaks, the base is untouched", async (architecture, method) => {
    const model = await Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture, 2)))
    const tensorsBefore = tf.memory().numTensors
    const adapter = await methods[method]!(model, architecture)
    const run = await trainOnFixedTask(model, adapter, { lr: 0.05, seed: 4, epochs: epochsOf(method) })
    expect(run.endLoss).toBeLessThan(run.startLoss * 0.7)
    expect(run.leakedTensors).toBe(0)
    expect(run.changedBaseParameters).toEqual([])
    adapter.dispose()
    expect(tf.memory().numTensors).toBe(tensorsBefore)
    model.dispose()
  })
})
