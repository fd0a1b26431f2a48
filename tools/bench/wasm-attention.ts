// The wasm plugin's fused attention kernel (C, wasm SIMD128, online softmax forward and
// FlashAttention-2 backward in tfjs-wasm's heap) against attention composed of tfjs ops on wasm,
// forward and forward+backward, causal, at the attention shapes of stories260k (8 heads, 4 kv,
// head size 8), SmolLM2-135M (9 heads, 3 kv, 64) and TinyLlama-1.1B (32 heads, 4 kv, 64), 256
// tokens, batch 8. Two pairs: @peftlab/gpu-kernels' flashAttention vs flashAttentionComposed
// (tfjs's own gradient), and the models' attend with a mask bias (which takes the kernel) vs the
// same bias unmarked (the models' composed op with its own gradient, what wasm ran before). All
// four take turns in every round, so that load from other processes falls on each alike; each
// figure is a median. Run: node tools/bench/wasm-attention.ts [rounds] [batch]
import * as tf from "@tensorflow/tfjs"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { flashAttention, flashAttentionComposed } from "@peftlab/gpu-kernels"
import { attend } from "../../packages/models/src/layers/attention.ts"
import { attentionBias } from "../../packages/models/src/layers/attention-bias.ts"
import { median, timeSync } from "./sync-timing.ts"

interface Shape {
  readonly model: string
  readonly heads: number
  readonly kvHeads: number
  readonly dim: number
}

const shapes: ReadonlyArray<Shape> = [
  { model: "stories260k", heads: 8, kvHeads: 4, dim: 8 },
  { model: "SmolLM2-135M", heads: 9, kvHeads: 3, dim: 64 },
  { model: "TinyLlama-1.1B", heads: 32, kvHeads: 4, dim: 64 },
]

interface Timing {
  readonly forward: number
  readonly backward: number
}

type Attention = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => tf.Tensor

const measure = (shape: Shape, batch: number, tokens: number, rounds: number): Array<Timing> => {
  const q = tf.randomNormal([batch, shape.heads, tokens, shape.dim], 0, 1, "float32", 1) as tf.Tensor4D
  const [k, v] = [2, 3].map((seed) => tf.randomNormal([batch, shape.kvHeads, tokens, shape.dim], 0, 1, "float32", seed) as tf.Tensor4D) as [tf.Tensor4D, tf.Tensor4D]
  const scale = 1 / Math.sqrt(shape.dim)
  const markedBias = attentionBias(tokens, tokens, { causal: true })
  // A copy is not marked as a mask: attend then runs the models' composed op.
  const unmarkedBias = markedBias.add(0) as tf.Tensor4D
  const variants: ReadonlyArray<readonly [string, Attention]> = [
    ["gpu-kernels composed", (a, b, c) => flashAttentionComposed(a, b, c, { scale })],
    ["gpu-kernels fused", (a, b, c) => flashAttention(a, b, c, { scale })],
    ["models' composed op", (a, b, c) => attend(a.mul(scale) as tf.Tensor4D, b, c, unmarkedBias)],
    ["models' attend, fused", (a, b, c) => attend(a.mul(scale) as tf.Tensor4D, b, c, markedBias)],
  ]
  const dy = tf.randomNormal(variants[0]![1](q, k, v).shape, 0, 1, "float32", 4)
  const samples = variants.map(() => ({ forward: [] as Array<number>, backward: [] as Array<number> }))
  for (let round = 0; round <= rounds; round++) {
    variants.forEach(([, op], i) => {
      const forward = timeSync(() => op(q, k, v))
      const backward = timeSync(() => tf.grads((a, b, c) => op(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D).reshape(dy.shape))([q, k, v], dy))
      // Round 0 warms up (first calls allocate and compile).
      if (round > 0) samples[i]!.forward.push(forward), samples[i]!.backward.push(backward)
    })
  }
  tf.dispose([q, k, v, markedBias, unmarkedBias, dy])
  return samples.map((s) => ({ forward: median(s.forward), backward: median(s.backward) }))
}

const rounds = Number(process.argv[2] ?? 5)
const batch = Number(process.argv[3] ?? 8)
const tokens = 256
await wasm.setup()
console.log(`causal attention, batch ${batch}, ${tokens} tokens, median of ${rounds} rounds, ms`)
console.log(`| model | heads / kv × dim | pair | composed fwd | fused fwd | speed-up | composed fwd+bwd | fused fwd+bwd | speed-up |`)
console.log(`|---|---|---|---|---|---|---|---|---|`)
for (const shape of shapes) {
  const [composed, fused, modelsComposed, modelsFused] = measure(shape, batch, tokens, rounds) as [Timing, Timing, Timing, Timing]
  const row = (pair: string, slow: Timing, fast: Timing) =>
    `| ${shape.model} | ${shape.heads} / ${shape.kvHeads} × ${shape.dim} | ${pair} | ${slow.forward.toFixed(1)} | ${fast.forward.toFixed(1)} | ${(slow.forward / fast.forward).toFixed(2)}x | ${slow.backward.toFixed(1)} | ${fast.backward.toFixed(1)} | ${(slow.backward / fast.backward).toFixed(2)}x |`
  console.log(row("gpu-kernels flashAttention", composed, fused))
  console.log(row("models' attend", modelsComposed, modelsFused))
}
