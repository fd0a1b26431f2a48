// naiveGpt2Logits on a toy GPT-2 (n_embd 2, one head, n_inner 2, tied head) with hand-picked
// weights, each test switching all but one formula off so its output can be worked out by hand.
import type { Gpt2Config } from "@peftlab/models"
import { describe, it } from "vitest"
import { naiveGpt2Logits, tokenRows } from "../src/index.ts"
import { expectClose, geluNewOfOne, toyWeights, zeros } from "./toy-weights.ts"

const toy: Gpt2Config = {
  n_embd: 2,
  n_layer: 1,
  n_head: 1,
  head_dim: 2,
  n_inner: 2,
  n_positions: 4,
  vocab_size: 2,
  layer_norm_epsilon: 1,
  tie_word_embeddings: true,
  bos_token_id: 0,
  eos_token_ids: [],
}

describe("naiveGpt2Logits", () => {
  it("without layers is the tied head wte times LayerNorm(wte + wpe): gain * (x - mean) / sqrt(var + eps) + bias", () => {
    const weights = toyWeights({
      "transformer.wte.weight": [[3, 1], [0, 1]],
      "transformer.wpe.weight": [[1, -1], [1, 1]],
      "transformer.ln_f.weight": [1, 2],
      "transformer.ln_f.bias": [0.5, 0],
    })
    // Token 0 at position 0: x = [4, 0], mean 2, var 4, normed [2, -2] / sqrt(5) -> [2 / sqrt(5) + 0.5, -4 / sqrt(5)].
    // Token 1 at position 1: x = [1, 2], mean 1.5, var 0.25, normed [-1, 1] / sqrt(5) -> [0.5 - 1 / sqrt(5), 2 / sqrt(5)].
    const r = Math.sqrt(5)
    const logits = naiveGpt2Logits({ ...toy, n_layer: 0 }, weights, tokenRows(weights, [0, 1]))
    expectClose(logits, [
      [2 / r + 1.5, -4 / r],
      [1.5 - 1 / r, 2 / r],
    ])
  })

  it("adds the MLP's c_proj(gelu_new(c_fc x)), both Conv1D with weights [in, out], to the residual", () => {
    const weights = toyWeights({
      "transformer.wte.weight": [[1, 0], [0, 1]],
      "transformer.wpe.weight": [[-1, 0]],
      "transformer.h.0.ln_1.weight": [1, 1],
      "transformer.h.0.ln_1.bias": [0, 0],
      "transformer.h.0.attn.c_attn.weight": zeros(2, 6),
      "transformer.h.0.attn.c_attn.bias": [0, 0, 0, 0, 0, 0],
      "transformer.h.0.attn.c_proj.weight": zeros(2, 2),
      "transformer.h.0.attn.c_proj.bias": [0, 0],
      "transformer.h.0.ln_2.weight": [1, 1],
      "transformer.h.0.ln_2.bias": [1, 0],
      "transformer.h.0.mlp.c_fc.weight": [[0, 1], [0, 0]],
      "transformer.h.0.mlp.c_fc.bias": [0, 0],
      "transformer.h.0.mlp.c_proj.weight": [[0, 0], [1, 0]],
      "transformer.h.0.mlp.c_proj.bias": [0.25, 0],
      "transformer.ln_f.weight": [1, 1],
      "transformer.ln_f.bias": [0, 0],
    })
    // wte + wpe = [0, 0], so ln_2 gives its bias [1, 0]; [1, 0] W_fc is W_fc's row 0 = [0, 1], and
    // gelu_new gives [0, g]; [0, g] W_proj is g times row 1 = [g, 0] (the transposed products would
    // give zeros). With c_proj's bias h = [g + 0.25, 0], which ln_f turns into [d, -d] / sqrt(d^2 + 1), d = h0 / 2.
    const d = (geluNewOfOne + 0.25) / 2
    const logits = naiveGpt2Logits(toy, weights, tokenRows(weights, [0]))
    expectClose(logits, [[d / Math.sqrt(d * d + 1), -d / Math.sqrt(d * d + 1)]])
  })
})
