// checkArmOptions: once the model is loaded and before any arm runs, each trainable arm's options
// are checked against it, as spec errors at the arm's field (stories260k, a Llama).
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadModel, type BaseModel } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { decodeSpecText } from "@peftlab/spec"
import { loadTokenizer, type Tokenizer } from "@peftlab/tokenizers"
import { checkArmOptions } from "../src/arm-options.ts"
import { builtinRegistryLayer } from "../src/registry/builtins.ts"
import { edit, positionOf, smallSpec } from "./fixtures.ts"

const withArms = (arms: string) => edit(smallSpec, "  - name: base\n    kind: base\n", `  - name: base\n    kind: base\n${arms}`)
const loraArm = (targets: string) => `  - name: bad\n    kind: lora\n    r: 4\n    lora_alpha: 8\n    target_modules: ${targets}\n`

describe("checkArmOptions", () => {
  let model: BaseModel
  let tokenizer: Tokenizer
  beforeAll(async () => {
    model = await Effect.runPromise(loadModel(stories260kDir))
    tokenizer = await Effect.runPromise(loadTokenizer(stories260kDir))
  })
  afterAll(() => model.dispose())

  const check = (text: string) => Effect.flatMap(decodeSpecText(text, "spec.yaml", {}), (loaded) => checkArmOptions(loaded, model, tokenizer)).pipe(Effect.provide(builtinRegistryLayer))

  it("passes target_modules that match, as a list or a regex", async () => {
    await Effect.runPromise(check(withArms(loraArm("[q_proj, v_proj]"))))
    await Effect.runPromise(check(withArms(loraArm('".*\\\\.(q_proj|v_proj)"'))))
  })

  it("refuses target_modules that match no linear module, at the field's line, naming the model's modules", async () => {
    const text = withArms(loraArm("[q, v]"))
    const error = await Effect.runPromise(Effect.flip(check(text)))
    expect(error).toMatchObject({ _tag: "SpecError", source: "spec.yaml" })
    expect(error.issues).toStrictEqual([
      {
        path: "arms[1].target_modules",
        expected: "module names or a regex matching this model's linear modules",
        found: '["q","v"]',
        message: "[q, v] matches no linear module of this llama model (its modules: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head), so arm bad would train nothing",
        ...positionOf(text, "[q, v]"),
      },
    ])
  })

  it("refuses a regex JavaScript cannot read", async () => {
    const error = await Effect.runPromise(Effect.flip(check(withArms(loraArm('"(q_proj"')))))
    expect(error.issues[0]).toMatchObject({ path: "arms[1].target_modules", expected: "a valid regex over module names" })
  })
})
