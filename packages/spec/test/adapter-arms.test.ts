// Reusing an existing adapter: an adapter arm (a PEFT folder or Hugging Face id, evaluated
// without training) and init_from on trainable PEFT arms, as the schema and its cross-field
// rules decode and refuse them. (Finding the folders and matching their configs is the
// runner's check, tested there.)
import { describe, expect, it } from "vitest"
import { decodeError, decodeOk, edit, minimalSpec, positionOf } from "./fixtures.ts"

const withArms = (arms: string): string => edit(minimalSpec, "    num_virtual_tokens: 4\n", `    num_virtual_tokens: 4\n${arms}`)

const adapterArm = "  - name: reused\n    kind: adapter\n    path: org/clinical-lora\n"

/** What an adapter location (path, init_from) is expected to be. */
const location = "a PEFT adapter folder (with adapter_config.json) or a Hugging Face id (org/name)"

const issuesOf = async (text: string) => (await decodeError(text)).issues

describe("adapter arms", () => {
  it("decode with quantize none by default, and once for all seeds (nothing in them is random)", async () => {
    const { spec } = await decodeOk(edit(withArms(adapterArm), "seed: 7\n", "seed: 7\nseeds: [1, 2]\n"))
    expect(spec.arms.filter((arm) => arm.kind === "adapter")).toStrictEqual([
      { name: "reused", kind: "adapter", path: "org/clinical-lora", quantize: "none", group: "reused", config: "reused" },
    ])
  })

  it("decode quantize: nf4 (a QLoRA adapter)", async () => {
    const { spec } = await decodeOk(withArms(`${adapterArm}    quantize: nf4\n`))
    expect(spec.arms.at(-1)).toMatchObject({ kind: "adapter", quantize: "nf4" })
  })

  it("require a path", async () => {
    const text = withArms("  - name: reused\n    kind: adapter\n")
    expect(await issuesOf(text)).toStrictEqual([{ path: "arms[2].path", expected: location, found: "nothing", ...positionOf(text, "name: reused") }])
  })

  it("refuse training settings, which an arm that does not train cannot use", async () => {
    const text = withArms(`${adapterArm}    training: { lr: 0.1 }\n`)
    expect(await issuesOf(text)).toStrictEqual([{ path: "arms[2].training", expected: "no such field", found: '{"lr":0.1}', ...positionOf(text, "training: {") }])
  })

  it("refuse a span-extraction task, whose answer head PEFT adapter files do not hold", async () => {
    const span = edit(
      edit(edit(withArms(adapterArm), 'task:\n  template: "Q: {question} C: {context}"\n  labels:\n    "yes": " yes"\n    "no": " no"\n', "task:\n  kind: span-extraction\n"), "mode: label-score", "mode: extract"),
      "metrics: [accuracy, macro_f1]",
      "metrics: [micro_f1]",
    )
    expect((await issuesOf(edit(span, "  max_length: 64\n", "  max_length: 64\n  select_by: micro_f1\n"))).map((issue) => [issue.path, issue.expected])).toStrictEqual([
      ["arms[2].kind", "an arm kind other than adapter (a span-extraction task needs its answer head, which PEFT adapter files do not hold)"],
    ])
  })
})

describe("init_from", () => {
  it("decodes on prompt, prefix and lora arms", async () => {
    const text = withArms(
      "    init_from: runs/a/adapters/prompt\n" +
        "  - name: prefix\n    kind: prefix\n    num_virtual_tokens: 4\n    init_from: org/prefix\n" +
        "  - name: lora\n    kind: lora\n    r: 4\n    lora_alpha: 8\n    target_modules: [q_proj]\n    init_from: /abs/lora\n",
    )
    const { spec } = await decodeOk(text)
    expect(spec.arms.slice(1).map((arm) => ("init_from" in arm ? arm.init_from : undefined))).toStrictEqual(["runs/a/adapters/prompt", "org/prefix", "/abs/lora"])
  })

  it("is refused on the frozen base and on full fine-tuning", async () => {
    const text = edit(withArms("  - name: ft\n    kind: fine-tune\n    init_from: x/y\n"), "    kind: base\n", "    kind: base\n    init_from: a/b\n")
    expect((await issuesOf(text)).map((issue) => [issue.path, issue.expected])).toStrictEqual([
      ["arms[0].init_from", "no such field"],
      ["arms[2].init_from", "no such field"],
    ])
  })

  // Its value (a non-empty text) and its rule beside prefix_projection are the methods' options: runner/test/builtin-method-arms.test.ts.
})
