import { describe, expect, it } from "vitest"
import { decodeError, decodeOk, edit, minimalSpec, positionOf } from "./fixtures.ts"

const loraSweep = edit(
  minimalSpec,
  "  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 4\n",
  `  - name: prompt
    kind: prompt
    num_virtual_tokens: 4
  - name: lora
    kind: lora
    r: 8
    lora_alpha: 16
    target_modules: [q_proj, v_proj]
    sweep:
      r: [8, 16]
      training.lr: [0.0001, 0.0002]
`,
)

describe("sweeps and seeds", () => {
  it("expands a grid into one arm per combination, named after its values, with the values set", async () => {
    const { spec } = await decodeOk(loraSweep)
    expect(spec.arms.map((a) => a.name)).toEqual(["base", "prompt", "lora-r8-lr0.0001", "lora-r8-lr0.0002", "lora-r16-lr0.0001", "lora-r16-lr0.0002"])
    const last = spec.arms.at(-1)!
    expect(last).toMatchObject({ kind: "lora", r: 16, training: { lr: 0.0002 }, group: "lora", config: "lora-r16-lr0.0002", lora_alpha: 16 })
    expect("sweep" in last).toBe(false)
    expect(spec.arms[1]).toMatchObject({ name: "prompt", group: "prompt", config: "prompt" })
    expect(spec.selection).toBe("best")
  })

  it("runs every arm that trains once per seed; the frozen base once", async () => {
    const { spec } = await decodeOk(edit(loraSweep, "training:\n", "seeds: [1, 2]\ntraining:\n"))
    expect(spec.arms.map((a) => a.name).slice(0, 5)).toEqual(["base", "prompt-seed1", "prompt-seed2", "lora-r8-lr0.0001-seed1", "lora-r8-lr0.0001-seed2"])
    expect(spec.arms).toHaveLength(1 + 2 + 4 * 2)
    expect(spec.arms[4]).toMatchObject({ seed: 2, config: "lora-r8-lr0.0001", group: "lora" })
    expect(spec.arms[0]).not.toHaveProperty("seed")
  })

  it("checks each swept value as the arm's own field, pointing at the value", async () => {
    // A method's own fields (r) are its method's to check: runner/test/builtin-method-arms.test.ts.
    const text = edit(loraSweep, "training.lr: [0.0001, 0.0002]", "training.lr: [0.0001, -2]")
    const error = await decodeError(text)
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]).toMatchObject({ expected: "a positive number", found: "-2", ...positionOf(text, "-2]") })
  })

  it("names the sweep key when it is neither a field of the arm nor a training setting", async () => {
    const text = edit(loraSweep, "training.lr: [0.0001, 0.0002]", "training.momentum: [0.9]")
    const error = await decodeError(text)
    expect(error.issues[0]).toMatchObject({
      path: 'arms[2].sweep["training.momentum"]',
      expected: "a field this arm sets, or training.<lr|epochs|batch_size|weight_decay|warmup_steps|gradient_accumulation|train_examples>",
      found: '"training.momentum"',
    })
  })

  it("refuses expanded names that meet another arm's", async () => {
    const text = edit(loraSweep, "  - name: prompt\n", "  - name: lora-r8-lr0.0001\n")
    const error = await decodeError(text)
    expect(error.issues[0]?.expected).toBe('arms whose expanded names differ (lora-r8-lr0.0001 and lora both give "lora-r8-lr0.0001")')
  })

  it("lets an arm set its own training values", async () => {
    const { spec } = await decodeOk(edit(minimalSpec, "    num_virtual_tokens: 4\n", "    num_virtual_tokens: 4\n    training: { lr: 0.3, epochs: 2 }\n"))
    expect(spec.arms[1]).toMatchObject({ training: { lr: 0.3, epochs: 2 } })
  })
})
