// checkPositionsFit: a prompt or prefix arm's virtual tokens plus training.max_length must fit
// the model's positions, checked before any arm runs (stories260k has 512).
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadModel } from "@peftlab/models"
import { checkPositionsFit } from "../src/positions-fit.ts"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { quickstartSpec } from "./fixtures.ts"

describe("checkPositionsFit", () => {
  const modelDir = stories260kDir

  it("passes max_length + virtual tokens up to the model's positions, and names the arm and the largest max_length beyond", async () => {
    const model = await Effect.runPromise(loadModel(modelDir))
    expect(model.dims.max_position_embeddings).toBe(512)
    // The quickstart's prompt and prefix arms have 8 virtual tokens each.
    const fits = await quickstartSpec((spec) => ({ ...spec, training: { ...spec.training, max_length: 504 } }))
    await Effect.runPromise(checkPositionsFit(fits, model, modelDir))
    const over = await quickstartSpec((spec) => ({ ...spec, training: { ...spec.training, max_length: 505 } }))
    const error = await Effect.runPromise(Effect.flip(checkPositionsFit(over, model, modelDir)))
    expect(error.source).toBe("training.max_length")
    expect(error.detail).toBe(`505 tokens plus arm prompt's 8 virtual tokens exceed the 512 positions of the model in ${modelDir} (its config.json); set training.max_length to at most 504`)
    model.dispose()
  })

  it("counts an adapter arm's virtual tokens, read from its adapter_config.json", async () => {
    const model = await Effect.runPromise(loadModel(modelDir))
    const spec = await quickstartSpec((spec) => ({
      ...spec,
      arms: [{ name: "reused", kind: "adapter", path: "org/prompt", quantize: "none", group: "reused", config: "reused" }],
      training: { ...spec.training, max_length: 500 },
    }))
    await Effect.runPromise(checkPositionsFit(spec, model, modelDir, new Map([["reused", 12]])))
    const error = await Effect.runPromise(Effect.flip(checkPositionsFit(spec, model, modelDir, new Map([["reused", 13]]))))
    expect(error.detail).toMatch(/^500 tokens plus arm reused's 13 virtual tokens exceed the 512 positions/)
    model.dispose()
  })
})
