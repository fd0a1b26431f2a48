// P-tuning's adapter and method on a tiny Llama and T5: the arm's options decode with PEFT's
// defaults and the values PEFT would ignore are refused by name; the encoder trains every
// parameter, folds into the rows it computed (same logits, encoder gone), saves PEFT's config
// fields, and loads back; a config field peftlab does not know is refused; nothing leaks.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Schema } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { readPeftAdapter, savePeftAdapter } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import { loadModel } from "@peftlab/models"
import { adapterLogits, goldenBases, maxAbsDiff, seq2seqBatch, unpaddedBatch, writeGoldenBase } from "@peftlab/testkit/peft-goldens"
import { createPTuning, loadPTuning, pTuningMethod, PTuningOptions } from "../src/index.ts"

const decode = Schema.decodeUnknownSync(PTuningOptions)

describe("p-tuning arm options", () => {
  it("take PEFT's PromptEncoderConfig defaults", () => {
    expect(decode({ num_virtual_tokens: 8 })).toStrictEqual({ num_virtual_tokens: 8, encoder_reparameterization_type: "MLP", encoder_num_layers: 2, encoder_dropout: 0 })
    expect(() => decode({ num_virtual_tokens: 8, encoder_reparameterization_type: "GRU" })).toThrow()
    expect(() => decode({ num_virtual_tokens: 8, encoder_dropout: 1 })).toThrow()
  })

  it("refuse by name what PEFT would take and ignore, and init_from", () => {
    const issues = (options: Record<string, unknown>) => pTuningMethod.checkOptions!(decode({ num_virtual_tokens: 4, ...options })).map((i) => i.field)
    expect(issues({})).toEqual([])
    expect(issues({ encoder_reparameterization_type: "LSTM", encoder_num_layers: 3, encoder_dropout: 0.2 })).toEqual([])
    expect(issues({ encoder_num_layers: 3 })).toEqual(["encoder_num_layers"])
    expect(issues({ encoder_dropout: 0.1 })).toEqual(["encoder_dropout"])
    expect(issues({ encoder_reparameterization_type: "LSTM", encoder_num_layers: 1, encoder_dropout: 0.1 })).toEqual(["encoder_dropout"])
    expect(issues({ init_from: "org/p-tuning" })).toEqual(["init_from"])
    expect(pTuningMethod.describe(decode({ num_virtual_tokens: 4, encoder_reparameterization_type: "LSTM", encoder_hidden_size: 16, encoder_dropout: 0.1 }))).toBe(
      "P-tuning, 4 virtual tokens, LSTM prompt encoder (hidden 16, 2 layers, dropout 0.1), folded after training",
    )
  })
})

describe("P-tuning", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu")
  })

  it.each([
    ["llama", "MLP"],
    ["llama", "LSTM"],
    ["t5", "LSTM"],
  ] as const)("on %s with %s: trains every parameter, folds to the same logits, saves and loads as PEFT's P_TUNING", async (architecture, type) => {
    const dir = await writeGoldenBase(goldenBases[architecture])
    const model = await Effect.runPromise(loadModel(dir))
    rmSync(dir, { recursive: true })
    const batch = architecture === "t5" ? seq2seqBatch : unpaddedBatch
    const before = tf.memory().numTensors
    const adapter = pTuningMethod.create(model, decode({ num_virtual_tokens: 3, encoder_reparameterization_type: type, encoder_hidden_size: 8, ...(type === "LSTM" && { encoder_dropout: 0.1 }) }), {
      rng: Rng.seeded(5),
      modelPath: "tiny",
    })
    expect(adapter.encoded).toBe(true)
    // Every parameter gets a gradient through the rows (the LSTM's dropout on).
    adapter.setTraining!(true)
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(adapter.inject(model, 1).virtualTokens!)) as tf.Scalar, [...adapter.trainable])
    adapter.setTraining!(false)
    for (const [name, grad] of Object.entries(grads)) expect(tf.tidy(() => tf.max(tf.abs(grad)).dataSync()[0]), name).toBeGreaterThan(0)
    tf.dispose([value, ...Object.values(grads)])

    const encoded = await adapterLogits(model, adapter, batch)
    const parameters = adapter.trainable.length
    pTuningMethod.afterTraining!(adapter)
    expect(adapter.encoded).toBe(false)
    expect(adapter.trainable.map((v) => v.shape)).toEqual([[3, model.dims.hidden_size]])
    expect(parameters).toBeGreaterThan(1)
    expect(maxAbsDiff(await adapterLogits(model, adapter, batch), encoded)).toBeLessThan(1e-6)

    const out = mkdtempSync(join(tmpdir(), "peftlab-ptuning-"))
    await Effect.runPromise(savePeftAdapter(out, adapter))
    const config = JSON.parse(readFileSync(join(out, "adapter_config.json"), "utf8"))
    expect(config).toMatchObject({ peft_type: "P_TUNING", num_virtual_tokens: 3, num_transformer_submodules: 1, encoder_reparameterization_type: type, encoder_hidden_size: 8, token_dim: model.dims.hidden_size })
    const loaded = await Effect.runPromise(readPeftAdapter(out).pipe(Effect.flatMap((files) => loadPTuning(model, files))))
    expect(maxAbsDiff(await adapterLogits(model, loaded, batch), encoded)).toBeLessThan(1e-6)
    expect(loaded.peftConfig()).toMatchObject({ encoder_reparameterization_type: type, encoder_hidden_size: 8 })
    loaded.dispose()

    // A field of another method (or a newer PEFT) is refused by name.
    writeFileSync(join(out, "adapter_config.json"), JSON.stringify({ ...config, prefix_projection: true }))
    const refused = await Effect.runPromise(Effect.flip(readPeftAdapter(out).pipe(Effect.flatMap((files) => loadPTuning(model, files)))))
    expect(refused.message).toContain("prefix_projection: true is not supported (not a field of PEFT 0.21.2's PromptEncoderConfig")
    rmSync(out, { recursive: true })
    adapter.dispose()
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
  })

  it("refuses an MLP of another depth (PEFT's has two hidden layers)", async () => {
    const dir = await writeGoldenBase(goldenBases.llama)
    const model = await Effect.runPromise(loadModel(dir))
    rmSync(dir, { recursive: true })
    expect(() => createPTuning(model, { numVirtualTokens: 2, encoderReparameterizationType: "MLP", encoderNumLayers: 3 }, Rng.seeded(1))).toThrow(/2 hidden layers/)
    model.dispose()
  })
})
