// Falcon (HF FalconForCausalLM): the config decodes as FalconConfig does, and what peftlab does
// not implement is refused by field. Its forward pass, loss and generation are checked against
// transformers itself in transformers-goldens.test.ts (goldens/falcon-cases.ts).
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { architectureFor } from "../src/index.ts"

describe("falcon config.json", () => {
  const decode = (json: Record<string, unknown>) => architectureFor("falcon")!.decodeConfig(json)
  // tiiuae/falcon-rw-1b's config.json as the hub has it.
  const falconRw1b = {
    alibi: true,
    apply_residual_connection_post_layernorm: false,
    architectures: ["FalconForCausalLM"],
    attention_dropout: 0.0,
    bias: true,
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_dropout: 0.0,
    hidden_size: 2048,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: "falcon",
    multi_query: false,
    new_decoder_architecture: false,
    num_attention_heads: 32,
    num_hidden_layers: 24,
    parallel_attn: false,
    torch_dtype: "bfloat16",
    transformers_version: "4.27.4",
    use_cache: true,
    vocab_size: 50304,
  }

  it("Falcon-RW-1B's: ALiBi, 32 full heads of 64, sequential layers, a tied head, 2048 positions", () => {
    const config = Result.getOrThrow(decode(falconRw1b))
    expect(config).toMatchObject({ alibi: true, num_attention_heads: 32, num_key_value_heads: 32, head_dim: 64, ffn_hidden_size: 8192, layerForm: "sequential", qkvLayout: "interleaved", tie_word_embeddings: true, max_position_embeddings: 2048, bias: true })
  })

  it("FalconConfig's defaults are Falcon-7B's: rotary, one key/value head, parallel attention", () => {
    const config = Result.getOrThrow(decode({ model_type: "falcon" }))
    expect(config).toMatchObject({ hidden_size: 4544, num_attention_heads: 71, num_key_value_heads: 1, head_dim: 64, alibi: false, layerForm: "parallel", qkvLayout: "multi-query", vocab_size: 65024 })
  })

  it.each([
    [{ rope_scaling: { type: "linear", factor: 2 } }, "rope_scaling"],
    [{ hidden_dropout: 0.1 }, "hidden_dropout"],
    [{ activation: "relu" }, "activation"],
    [{ new_decoder_architecture: true, parallel_attn: false }, "parallel_attn"],
    [{ parallel_attn: true, num_ln_in_parallel_attn: 2 }, "num_ln_in_parallel_attn"],
    [{ new_decoder_architecture: true, num_attention_heads: 6, hidden_size: 24, num_kv_heads: 4 }, "num_kv_heads"],
  ])("refuses %j, naming %s", (fields, field) => {
    const decoded = decode({ ...falconRw1b, ...fields })
    expect(Result.isFailure(decoded)).toBe(true)
    expect(Result.isFailure(decoded) && decoded.failure).toContain(field)
  })
})
