// naiveBert on a toy BERT (hidden 2, one head of 2, intermediate 1) with hand-picked weights,
// each test switching all but one formula off so its output can be worked out by hand.
import type { BertConfig } from "@peftlab/models"
import { describe, expect, it } from "vitest"
import { naiveBert } from "../src/index.ts"
import { expectClose, geluNewOfOne, geluOfOne, toyWeights, zeros } from "./toy-weights.ts"

const toy: BertConfig = {
  model_type: "bert",
  vocab_size: 2,
  hidden_size: 2,
  num_hidden_layers: 1,
  num_attention_heads: 1,
  head_dim: 2,
  intermediate_size: 1,
  hidden_act: "gelu",
  max_position_embeddings: 4,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1,
  num_labels: 2,
}

const embeddings = {
  "bert.embeddings.position_embeddings.weight": [[1, -1], [0, 2]],
  "bert.embeddings.token_type_embeddings.weight": [[0, 0], [1, 0]],
  "bert.embeddings.LayerNorm.weight": [1, 2],
  "bert.embeddings.LayerNorm.bias": [0.5, 0],
}

describe("naiveBert", () => {
  it("without layers is LayerNorm(word + position + token type): gain * (x - mean) / sqrt(var + eps) + bias, and no pooler", () => {
    const out = naiveBert({ ...toy, num_hidden_layers: 0 }, toyWeights(embeddings), { embeds: [[3, 1], [0, 0]], tokenTypes: [0, 1] })
    // Token 0: [3, 1] + [1, -1] + [0, 0] = [4, 0], mean 2, var 4: [2, -2] / sqrt(5), then gain and bias.
    // Token 1: [0, 0] + [0, 2] + [1, 0] = [1, 2], mean 1.5, var 0.25: [-1, 1] / sqrt(5).
    const r = Math.sqrt(5)
    expectClose(out.hidden, [
      [2 / r + 0.5, -4 / r],
      [0.5 - 1 / r, 2 / r],
    ])
    expect(out.pooled).toBeUndefined()
  })

  it.each([
    ["gelu", geluOfOne],
    ["gelu_new", geluNewOfOne],
    ["relu", 1],
  ] as const)("applies hidden_act %s in the feed-forward (act(1) = %s) and pools token 0 through tanh", (hiddenAct, activated) => {
    const layer = "bert.encoder.layer.0"
    const dense = (module: string, weight: number[] | number[][], bias: number[]) => ({ [`${module}.weight`]: weight, [`${module}.bias`]: bias })
    const weights = toyWeights({
      ...embeddings,
      ...dense(`${layer}.attention.self.query`, zeros(2, 2), [0, 0]),
      ...dense(`${layer}.attention.self.key`, zeros(2, 2), [0, 0]),
      ...dense(`${layer}.attention.self.value`, zeros(2, 2), [0, 0]),
      ...dense(`${layer}.attention.output.dense`, zeros(2, 2), [0, 0]),
      // Gain 0: the attention block's LayerNorm outputs its bias, whatever came in.
      ...dense(`${layer}.attention.output.LayerNorm`, [0, 0], [1, 0]),
      ...dense(`${layer}.intermediate.dense`, [[1, 0]], [0]),
      ...dense(`${layer}.output.dense`, [[1], [0]], [0, 0]),
      ...dense(`${layer}.output.LayerNorm`, [1, 1], [0, 0]),
      ...dense("bert.pooler.dense", [[1, 0], [0, 1]], [0, 0.5]),
    })
    // After attention x = [1, 0]; the feed-forward adds [act(1), 0]; LayerNorm with eps 1 turns
    // [1 + act, 0] into [d, -d] / sqrt(d^2 + 1), d = (1 + act) / 2; the pooler adds [0, 0.5] and applies tanh.
    const d = (1 + activated) / 2
    const hidden = [d / Math.sqrt(d * d + 1), -d / Math.sqrt(d * d + 1)]
    const out = naiveBert({ ...toy, hidden_act: hiddenAct }, weights, { embeds: [[3, 1]] })
    expectClose(out.hidden, [hidden])
    expectClose([out.pooled ?? []], [[Math.tanh(hidden[0]!), Math.tanh(hidden[1]! + 0.5)]])
  })
})
