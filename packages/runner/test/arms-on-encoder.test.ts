// Arm kinds over an encoder (BERT, for span extraction): full fine-tuning trains every encoder
// weight; QLoRA quantizes and says its LM-head probe was skipped.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng } from "@peftlab/core"
import { loadEncoder, writeRandomCheckpoint, type EncoderModel } from "@peftlab/models"
import type { ConcreteArm } from "@peftlab/spec"
import { loadTokenizer, type Tokenizer } from "@peftlab/tokenizers"
import { createFineTuneArm, type AdapterContext } from "../src/arms.ts"
import { adapterKindOf, builtinRegistry } from "../src/registry/index.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping the encoder arm tests: PEFTLAB_MODELS unset (they read bert-tiny's tokenizer)")

const tinyBert = { model_type: "bert", vocab_size: 64, hidden_size: 24, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 40, max_position_embeddings: 32 }

describe.skipIf(!models)("arm kinds on a BERT encoder", () => {
  let model: EncoderModel
  let tokenizer: Tokenizer
  const context = (): AdapterContext => ({ model, tokenizer, rng: Rng.seeded(1), modelPath: "tiny-bert" })
  beforeAll(async () => {
    await cpu.setup()
    const dir = mkdtempSync(join(tmpdir(), "peftlab-arms-bert-"))
    await Effect.runPromise(writeRandomCheckpoint(dir, tinyBert, 1))
    model = await Effect.runPromise(loadEncoder(dir))
    tokenizer = await Effect.runPromise(loadTokenizer(join(models!, "bert-tiny")))
  })
  afterAll(() => model?.dispose())

  it("fine-tune trains every encoder weight on a copy and saves them as modules_to_save \"bert\"", async () => {
    const tensorsBefore = tf.memory().numTensors
    const prepared = await createFineTuneArm({ name: "full", kind: "fine-tune", hard_prompt: true }, context())
    expect(prepared.adapter.trainable.reduce((sum, v) => sum + v.size, 0)).toBe(model.parameterCount())
    expect(prepared.adapter.trainable.some((v) => [...model.parameters.values()].includes(v))).toBe(false)
    expect(prepared.adapter.peftConfig()["modules_to_save"]).toEqual(["bert"])
    expect([...prepared.adapter.peftTensors().keys()].sort()).toEqual([...model.parameters.keys()].map((name) => `base_model.model.${name}`).sort())
    prepared.release()
    expect(tf.memory().numTensors).toBe(tensorsBefore)
  })

  it("QLoRA quantizes the encoder's projections and notes that the log-prob probe was skipped", async () => {
    const arm = { name: "qlora", kind: "lora", r: 2, lora_alpha: 4, lora_dropout: 0, target_modules: ["query", "value"], use_rslora: false, quantize: "nf4", group: "qlora", config: "qlora" } as ConcreteArm
    const tensorsBefore = tf.memory().numTensors
    const prepared = await adapterKindOf(builtinRegistry(), "lora").create(arm, context())
    expect(prepared.note).toMatch(/^qlora: 13 linear modules in NF4, .*; log-prob probe skipped \(an encoder has no LM head\)$/)
    prepared.release()
    expect(tf.memory().numTensors).toBe(tensorsBefore)
  })
})
