// Megatron-BERT (HF MegatronBertModel; GatorTron, the extraction study's encoder): GatorTron-base's
// config.json decodes with MegatronBertConfig's defaults where it is silent, its checkpoint
// names are the pre-LayerNorm ones (attention.ln, ln, encoder.ln; no embedding LayerNorm), and a
// tiny random checkpoint matches the float64 reference forward (see also @peftlab/testkit's
// backend parity, which runs it on every backend).
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { embeddingRows, naiveBert } from "@peftlab/references"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { architectureFor, loadEncoder, readModelConfig, writeRandomCheckpoint, type BertConfig } from "../src/index.ts"
import { configFolder } from "./config-folder.ts"

// UFNLP/gatortron-base's config.json fields that shape the model.
const gatortronBase = {
  architectures: ["MegatronBertModel"],
  attention_probs_dropout_prob: 0.1,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  hidden_size: 1024,
  initializer_range: 0.02,
  intermediate_size: 4096,
  layer_norm_eps: 1e-12,
  max_position_embeddings: 512,
  model_type: "megatron-bert",
  num_attention_heads: 16,
  num_hidden_layers: 24,
  pad_token_id: 0,
  position_embedding_type: "absolute",
  type_vocab_size: 2,
  vocab_size: 50176,
}

describe("Megatron-BERT config.json and parameter names", () => {
  it("reads GatorTron-base's config, and MegatronBertConfig's defaults (not BertConfig's) where a config is silent", async () => {
    expect((await Effect.runPromise(readModelConfig(configFolder(gatortronBase)))).config).toMatchObject({ model_type: "megatron-bert", hidden_size: 1024, head_dim: 64, vocab_size: 50176 })
    const silent = (await Effect.runPromise(readModelConfig(configFolder({ model_type: "megatron-bert" })))).config as BertConfig
    expect(silent).toMatchObject({ vocab_size: 29056, hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16, intermediate_size: 4096 })
  })

  it("names its LayerNorms as MegatronBertModel saves them: before attention and feed-forward, and one after the last layer", async () => {
    const { architecture, config } = await Effect.runPromise(readModelConfig(configFolder({ ...gatortronBase, num_hidden_layers: 1 })))
    const norms = [...architecture.parameterShapes(config).keys()].filter((name) => /\.(ln|LayerNorm)\.weight$/.test(name))
    expect(norms).toStrictEqual(["bert.encoder.layer.0.attention.ln.weight", "bert.encoder.layer.0.ln.weight", "bert.encoder.ln.weight"])
    expect(architectureFor("megatron-bert")?.canonicalName?.("encoder.ln.weight")).toBe("bert.encoder.ln.weight")
  })
})

describe("Megatron-BERT on a tiny random checkpoint (cpu)", () => {
  it("matches the float64 pre-LayerNorm forward", async () => {
    await cpu.setup()
    const dir = mkdtempSync(join(tmpdir(), "peftlab-megatron-tiny-"))
    const json = { model_type: "megatron-bert", vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 16 }
    const weights = await Effect.runPromise(writeRandomCheckpoint(dir, json, 6))
    const config = (await Effect.runPromise(readModelConfig(dir))).config as BertConfig
    const model = await Effect.runPromise(loadEncoder(dir))
    const ids = [2, 9, 31, 4, 17]
    const hidden = tf.tidy(() => model.encode({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")) }).arraySync()[0] as number[][])
    expect(model.architecture).toBe("megatron-bert")
    model.dispose()
    const reference = naiveBert(config, weights, { embeds: embeddingRows(weights, "bert.embeddings.word_embeddings.weight", ids) }).hidden
    const maxAbsDiff = Math.max(...hidden.map((row, t) => Math.max(...row.map((v, i) => Math.abs(v - reference[t]![i]!)))))
    expect(maxAbsDiff).toBeLessThan(1e-4)
    // Read as BERT (post-LayerNorm), the same weights would give other states: the order of the norms matters.
    const asBert = { ...config, model_type: "bert" as const }
    const withEmbeddingNorm = new Map([...weights, ["bert.embeddings.LayerNorm.weight", { shape: [16], data: new Float32Array(16).fill(1) }], ["bert.embeddings.LayerNorm.bias", { shape: [16], data: new Float32Array(16) }]])
    for (let layer = 0; layer < 2; layer++) {
      withEmbeddingNorm.set(`bert.encoder.layer.${layer}.attention.output.LayerNorm.weight`, weights.get(`bert.encoder.layer.${layer}.attention.ln.weight`)!)
      withEmbeddingNorm.set(`bert.encoder.layer.${layer}.attention.output.LayerNorm.bias`, weights.get(`bert.encoder.layer.${layer}.attention.ln.bias`)!)
      withEmbeddingNorm.set(`bert.encoder.layer.${layer}.output.LayerNorm.weight`, weights.get(`bert.encoder.layer.${layer}.ln.weight`)!)
      withEmbeddingNorm.set(`bert.encoder.layer.${layer}.output.LayerNorm.bias`, weights.get(`bert.encoder.layer.${layer}.ln.bias`)!)
    }
    const postNorm = naiveBert(asBert, withEmbeddingNorm, { embeds: embeddingRows(weights, "bert.embeddings.word_embeddings.weight", ids) }).hidden
    expect(Math.max(...postNorm.flatMap((row, t) => row.map((v, i) => Math.abs(v - reference[t]![i]!))))).toBeGreaterThan(1e-2)
  })
})
