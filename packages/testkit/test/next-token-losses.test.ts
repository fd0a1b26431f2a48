// causalNextTokenLosses (the LM head applied chunk by chunk when it is frozen) against the
// negated tokenLogProbs of causalLogits, for every adapter method and the unfrozen ones on
// both decoder-only architectures: the same losses and the same gradients for every trainable
// variable, to float32 rounding (1e-5 absolute).
import * as tf from "@tensorflow/tfjs"
import { causalLogits, causalNextTokenLosses, type Adapter } from "@peftlab/adapters-base"
import { createLora } from "@peftlab/adapters-lora"
import { createPrefixTuning } from "@peftlab/adapters-prefix"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng } from "@peftlab/core"
import { loadCausalLM, tokenLogProbs, type BaseModel } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { writeTinyCheckpoint } from "../src/index.ts"
import { unfrozenMethods } from "./unfrozen-methods.ts"

const tolerance = 1e-5

const methods: Record<string, (model: BaseModel) => Adapter> = {
  prompt: (model) => createPromptTuning(model, { numVirtualTokens: 3, init: "random" }, Rng.seeded(3)),
  prefix: (model) => createPrefixTuning(model, { numVirtualTokens: 3 }, Rng.seeded(3)),
  // lm_head among the targets: a trained head takes the path through the full logits.
  lora: (model) => createLora(model, { r: 2, loraAlpha: 4, loraDropout: 0, targetModules: ".*(q_proj|c_attn|lm_head)", useRslora: false, bias: "none" }, Rng.seeded(3)),
  "lora-attention": (model) => createLora(model, { r: 2, loraAlpha: 4, loraDropout: 0, targetModules: ".*(q_proj|v_proj|c_attn)", useRslora: false, bias: "none" }, Rng.seeded(3)),
  ...unfrozenMethods,
}

const cases = (["llama", "gpt2"] as const).flatMap((architecture) => Object.keys(methods).map((method) => [architecture, method] as const))

describe("causalNextTokenLosses", () => {
  beforeAll(() => cpu.setup())

  it.each(cases)("%s + %s: the losses and gradients of the full logits", async (architecture, method) => {
    const model = await Effect.runPromise(loadCausalLM(await writeTinyCheckpoint(architecture, 2)))
    const adapter = methods[method]!(model)
    // B = 0 would hide a LoRA branch's gradient for A: move every variable off its initial value.
    for (const v of adapter.trainable) v.assign(v.add(tf.randomNormal(v.shape, 0, 0.05, "float32", 9)))
    const ids = tf.tensor2d([[5, 9, 2, 7, 1, 3], [4, 4, 8, 0, 6, 2]], [2, 6], "int32")
    const mask = tf.tensor2d([[0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]], [2, 6], "int32")
    const weights = tf.randomUniform([2, 5], 0, 1, "float32", 5)
    const reference = () => tokenLogProbs(causalLogits(model, adapter, ids, mask), ids).neg() as tf.Tensor2D
    const fused = () => causalNextTokenLosses(model, adapter, ids, mask)
    const [got, expected] = [fused(), reference()]
    expect(got.sub(expected).abs().max().dataSync()[0]).toBeLessThan(tolerance)
    const gradients = (f: () => tf.Tensor2D) => tf.variableGrads(() => f().mul(weights).sum() as tf.Scalar, adapter.trainable as Array<tf.Variable>)
    const [fusedGrads, referenceGrads] = [gradients(fused), gradients(reference)]
    expect(Object.keys(fusedGrads.grads).sort()).toEqual(Object.keys(referenceGrads.grads).sort())
    for (const [name, grad] of Object.entries(referenceGrads.grads)) {
      expect(fusedGrads.grads[name]!.sub(grad).abs().max().dataSync()[0], name).toBeLessThan(tolerance)
    }
    tf.dispose([got, expected, ids, mask, weights, fusedGrads.value, referenceGrads.value, fusedGrads.grads, referenceGrads.grads])
    adapter.dispose()
    model.dispose()
  })
})
