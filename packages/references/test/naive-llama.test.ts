// naiveLlamaLogits on a toy Llama (hidden 2, one head of 2, intermediate 1) with hand-picked
// weights, each test switching all but one formula off so its output can be worked out by hand.
import type { LlamaConfig } from "@peftlab/models"
import { describe, it } from "vitest"
import { naiveLlamaLogits } from "../src/index.ts"
import { expectClose, toyWeights, zeros } from "./toy-weights.ts"

const toy: LlamaConfig = {
  model_type: "llama",
  hidden_size: 2,
  intermediate_size: 1,
  num_hidden_layers: 1,
  num_attention_heads: 1,
  num_key_value_heads: 1,
  head_dim: 2,
  rms_norm_eps: 0,
  rope_theta: 10000,
  vocab_size: 2,
  tie_word_embeddings: false,
  bos_token_id: undefined,
  eos_token_ids: [],
  max_position_embeddings: 8,
  sliding_window: undefined,
  biased: [],
}

const identity = [
  [1, 0],
  [0, 1],
]

/** One layer whose modules are identities unless `overrides` replaces them. */
const layerWeights = (overrides: Record<string, number[][]>) =>
  toyWeights({
    "model.layers.0.input_layernorm.weight": [1, 1],
    "model.layers.0.self_attn.q_proj.weight": identity,
    "model.layers.0.self_attn.k_proj.weight": identity,
    "model.layers.0.self_attn.v_proj.weight": identity,
    "model.layers.0.self_attn.o_proj.weight": identity,
    "model.layers.0.post_attention_layernorm.weight": [1, 1],
    "model.layers.0.mlp.gate_proj.weight": [[1, 1]],
    "model.layers.0.mlp.up_proj.weight": [[1, 1]],
    "model.layers.0.mlp.down_proj.weight": [[1], [0]],
    "model.norm.weight": [1, 1],
    "lm_head.weight": identity,
    ...overrides,
  })

describe("naiveLlamaLogits", () => {
  it("without layers is the untied head W [vocab, hidden] times RMSNorm: g * x / sqrt(mean(x^2) + eps)", () => {
    const weights = toyWeights({ "model.norm.weight": [2, 0.5], "lm_head.weight": [[1, 0], [1, 1]] })
    // mean(x^2) = (9 + 16) / 2 = 12.5; with eps 0.5 the norm is [2 * 3, 0.5 * 4] / sqrt(13).
    const logits = naiveLlamaLogits({ ...toy, num_hidden_layers: 0, rms_norm_eps: 0.5 }, weights, [[3, 4]])
    expectClose(logits, [[6 / Math.sqrt(13), 8 / Math.sqrt(13)]])
  })

  it("adds SwiGLU's down(silu(gate x) * up x) to the residual", () => {
    const weights = layerWeights({
      "model.layers.0.self_attn.o_proj.weight": zeros(2, 2),
      "model.layers.0.mlp.up_proj.weight": [[0.5, 0]],
    })
    // x = [1, 1] has mean square 1, so the normed input is x: gate [1, 1] x = 2, up 0.5, silu(2) = 2 / (1 + e^-2).
    const h = [1 + (0.5 * 2) / (1 + Math.exp(-2)), 1]
    const rms = Math.sqrt((h[0]! ** 2 + h[1]! ** 2) / 2)
    expectClose(naiveLlamaLogits(toy, weights, [[1, 1]]), [h.map((v) => v / rms)])
  })

  it("rotates queries and keys by their positions and lets a token attend only to itself and earlier tokens", () => {
    const weights = layerWeights({ "model.layers.0.mlp.down_proj.weight": zeros(2, 1) })
    // With head_dim 2, RoPE turns the pair by `position` radians. Token 0 sees only itself:
    // h0 = x0 + x0 = [2, 2]. Token 1's query R(1) [1, -1] meets k0 = [1, 1] with dot 2 sin 1 and
    // its own key with dot 2; both over sqrt(2), softmax weights w0 and 1 - w0 of v0 = [1, 1] and
    // v1 = [1, -1] give [1, 2 w0 - 1], so h1 = [2, 2 w0 - 2].
    const w0 = 1 / (1 + Math.exp(Math.SQRT2 - Math.SQRT2 * Math.sin(1)))
    const h1 = [2, 2 * w0 - 2]
    const rms1 = Math.sqrt((h1[0]! ** 2 + h1[1]! ** 2) / 2)
    const logits = naiveLlamaLogits(toy, weights, [
      [1, 1],
      [1, -1],
    ])
    expectClose(logits, [[1, 1], h1.map((v) => v / rms1)])
  })
})
