// The arms of the fine-tune vs prompt-tuning study: full fine-tuning with or without the hard
// prompt, and a soft prompt with the base unfrozen.
import { describe, expect, it } from "vitest"
import { decodeError, decodeOk, edit, minimalSpec, positionOf } from "./fixtures.ts"

const withArms = (arms: string): string => edit(minimalSpec, "    num_virtual_tokens: 4\n", `    num_virtual_tokens: 4\n${arms}`)

const fineTune = "  - name: fine-tune\n    kind: fine-tune\n"

describe("fine-tune arms and unfrozen prompts", () => {
  it("decode with their defaults: the hard prompt asked, the prompt's base frozen", async () => {
    const { spec } = await decodeOk(withArms(fineTune))
    expect(spec.arms.slice(1)).toStrictEqual([
      // The prompt's options as written; its method fills unfreeze_base: false (runner/test/builtin-method-arms.test.ts).
      { name: "prompt", kind: "prompt", num_virtual_tokens: 4, group: "prompt", config: "prompt" },
      { name: "fine-tune", kind: "fine-tune", hard_prompt: true, group: "fine-tune", config: "fine-tune" },
    ])
  })

  it("decode the values written", async () => {
    const text = edit(withArms(`${fineTune}    hard_prompt: false\n`), "    num_virtual_tokens: 4\n", "    num_virtual_tokens: 4\n    unfreeze_base: true\n")
    const { spec } = await decodeOk(text)
    expect(spec.arms.slice(1).map((arm) => [arm.kind, "unfreeze_base" in arm ? arm.unfreeze_base : arm.kind === "fine-tune" && "hard_prompt" in arm && arm.hard_prompt])).toStrictEqual([
      ["prompt", true],
      ["fine-tune", false],
    ])
  })

  it("report a value of the wrong type at its field", async () => {
    // unfreeze_base: 1 is its method's to report (runner/test/builtin-method-arms.test.ts).
    const text = withArms(`${fineTune}    hard_prompt: sometimes\n`)
    const error = await decodeError(text)
    expect(error.issues).toStrictEqual([{ path: "arms[2].hard_prompt", expected: "true or false", found: '"sometimes"', ...positionOf(text, "sometimes") }])
  })
})
