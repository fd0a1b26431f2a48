// Megatron-BERT (HF MegatronBertModel; GatorTron, the extraction study's encoder): GatorTron-base's
// config.json decodes with MegatronBertConfig's defaults where it is silent, its checkpoint
// names are the pre-LayerNorm ones (attention.ln, ln, encoder.ln; no embedding LayerNorm). Its
// forward pass is checked against transformers' MegatronBertModel in transformers-goldens.test.ts
// (see also @peftlab/testkit's backend parity, which runs it on every backend).
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { architectureFor, readModelConfig, type BertConfig } from "../src/index.ts"
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
