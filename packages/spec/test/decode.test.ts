import { isInputError } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { decodeError, decodeOk, edit, minimalSpec, positionOf } from "./fixtures.ts"

describe("decodeSpecText: valid specs", () => {
  it("fills every default of a spec that gives only the required fields", async () => {
    const { spec, file } = await decodeOk(minimalSpec)
    expect(file).toBe("spec.yaml")
    expect(spec).toStrictEqual({
      name: "tiny",
      seed: 7,
      backend: "wasm",
      plugins: [],
      data: {
        kind: "pubmedqa",
        path: "data/pubmedqa/ori_pqal.json",
        fields: { question: "QUESTION", context: "CONTEXTS", label: "final_decision" },
        cleaning: { drop_labels: ["maybe"], lowercase_labels: true, dedupe: true, drop_empty: true },
        split: { train: 0.5, val: 0.25, test: 0.25, stratify: false, seed: 7 },
      },
      model: { path: "models/stories260k" },
      task: { template: "Q: {question} C: {context}", format: "plain", labels: { yes: " yes", no: " no" } },
      arms: [
        { name: "base", kind: "base", group: "base", config: "base" },
        // A method arm's options as written: the runner's registry decodes them with their method's defaults (runner/test/builtin-method-arms.test.ts).
        { name: "prompt", kind: "prompt", num_virtual_tokens: 4, group: "prompt", config: "prompt" },
      ],
      selection: "best",
      training: { epochs: 1, lr: 0.1, batch_size: 2, max_length: 64, truncation: "cut", weight_decay: 0, select_by: "macro_f1", gradient_accumulation: 1, workers: 1, gradient_checkpointing: false, activation_cache_mb: 1024, warmup_steps: 0, lr_schedule: "constant", sampler: "shuffled" },
      evaluation: { mode: "label-score", metrics: ["accuracy", "macro_f1"], rouge_stemmer: false },
      stats: { baseline: "base", mcnemar: false, bootstrap: { B: 10, seed: 3 } },
      output: { dir: "out" },
    })
  })

  it("keeps optional values that are given instead of their defaults", async () => {
    const text = edit(
      edit(minimalSpec, "    stratify: false\n", "    stratify: false\n    seed: 11\n  limit: { train: 64, val: 32 }\n  cleaning:\n    drop_labels: []\n"),
      "seed: 7\n",
      "seed: 7\nbackend: cpu\n",
    )
    const { spec } = await decodeOk(text)
    expect(spec.backend).toBe("cpu")
    expect(spec.data.split.seed).toBe(11)
    expect(spec.data.limit).toStrictEqual({ train: 64, val: 32 })
    // A partly given mapping still gets defaults for the keys it leaves out.
    expect(spec.data.cleaning).toStrictEqual({ drop_labels: [], lowercase_labels: true, dedupe: true, drop_empty: true })
  })

  it("leaves data kinds, metrics, backends and plugins as names for the registry to check", async () => {
    let text = edit(minimalSpec, "  kind: pubmedqa\n", "  kind: clinical_notes\n  fields: { context: note_text, id: note_id }\n")
    text = edit(text, "[accuracy, macro_f1]", "[accuracy, positive_recall]")
    text = edit(text, "seed: 7\n", "seed: 7\nbackend: my-gpu\nplugins: [./plugin.ts, \"@acme/peftlab-notes\"]\n")
    const { spec } = await decodeOk(text)
    expect(spec.data.kind).toBe("clinical_notes")
    // PubMedQA's field names are filled in for pubmedqa only.
    expect(spec.data.fields).toStrictEqual({ context: "note_text", id: "note_id" })
    expect(spec.evaluation.metrics).toStrictEqual(["accuracy", "positive_recall"])
    expect(spec.backend).toBe("my-gpu")
    expect(spec.plugins).toStrictEqual(["./plugin.ts", "@acme/peftlab-notes"])
  })

  it("fills only the PubMedQA field names a pubmedqa spec leaves out", async () => {
    const { spec } = await decodeOk(edit(minimalSpec, "  kind: pubmedqa\n", "  kind: pubmedqa\n  fields: { context: LONG_ANSWER }\n"))
    expect(spec.data.fields).toStrictEqual({ question: "QUESTION", context: "LONG_ANSWER", label: "final_decision" })
  })
})

describe("decodeSpecText: field problems", () => {
  const single = async (text: string) => {
    const error = await decodeError(text)
    expect(error.issues).toHaveLength(1)
    return error.issues[0]
  }

  it("reports a plugin entry that is not a module name", async () => {
    const text = edit(minimalSpec, "seed: 7\n", "seed: 7\nplugins: [./a.ts, \"\"]\n")
    expect(await single(text)).toStrictEqual({ path: "plugins[1]", expected: "a module path or npm package name", found: '""', ...positionOf(text, '""') })
  })

  it("reports a value of the wrong type at the value, with the field's expectation", async () => {
    const text = edit(minimalSpec, "max_length: 64", "max_length: eight")
    const { line, column } = positionOf(text, "eight")
    expect(await single(text)).toStrictEqual({ path: "training.max_length", expected: "a positive integer", found: '"eight"', line, column })
  })

  it("reports a value that fails a constraint", async () => {
    const text = edit(minimalSpec, "epochs: 1", "epochs: 0")
    expect(await single(text)).toStrictEqual({ path: "training.epochs", expected: "a positive integer", found: "0", ...positionOf(text, "0\n  lr") })
  })

  it("reports a value outside a set of names", async () => {
    const text = edit(minimalSpec, "  max_length: 64\n", "  max_length: 64\n  lr_schedule: cyclic\n")
    expect(await single(text)).toStrictEqual({
      path: "training.lr_schedule",
      expected: "one of constant, linear, cosine",
      found: '"cyclic"',
      ...positionOf(text, "cyclic"),
    })
  })

  it("reports a missing key at the mapping that should hold it", async () => {
    const text = edit(minimalSpec, "  lr: 0.1\n", "")
    expect(await single(text)).toStrictEqual({ path: "training.lr", expected: "a positive number", found: "nothing", ...positionOf(text, "epochs") })
  })

  it("reports an unknown key, such as a typo, at the key", async () => {
    const text = edit(minimalSpec, "  batch_size: 2\n", "  batch_size: 2\n  weight_decy: 0.1\n")
    expect(await single(text)).toStrictEqual({ path: "training.weight_decy", expected: "no such field", found: "0.1", ...positionOf(text, "weight_decy") })
  })

  // Whether a plugin registers the kind, and what its options may be, the runner checks once plugins load (registry/methods.ts).
  it("decodes an arm of a kind it does not know as a plugin arm, its options as written", async () => {
    const text = edit(minimalSpec, "kind: prompt", "kind: ia3")
    const { spec } = await decodeOk(text)
    expect(spec.arms[1]).toMatchObject({ kind: "ia3", num_virtual_tokens: 4 })
  })

  it("still blames an arm's kind when it is not a name", async () => {
    const text = edit(minimalSpec, "kind: prompt", "kind: 37")
    expect(await single(text)).toStrictEqual({ path: "arms[1].kind", expected: "an arm kind that a plugin registers", found: "37", ...positionOf(text, "37") })
  })

  it("reports a field that only the other arm kind has as unknown", async () => {
    const text = edit(minimalSpec, "    kind: base\n", "    kind: base\n    num_virtual_tokens: 2\n")
    const { line } = positionOf(text, "kind: base")
    expect(await single(text)).toStrictEqual({ path: "arms[0].num_virtual_tokens", expected: "no such field", found: "2", line: line + 1, column: 5 })
  })

  it("reports a record with too few entries and a bad list item", async () => {
    const text = edit(edit(minimalSpec, '    "no": " no"\n', ""), "[accuracy, macro_f1]", "[accuracy, 1]")
    const error = await decodeError(text)
    expect(error.issues).toStrictEqual([
      { path: "task.labels", expected: "a mapping of at least two labels to verbalizer texts", found: '{"yes":" yes"}', ...positionOf(text, '"yes"') },
      { path: "evaluation.metrics[1]", expected: "a metric name", found: "1", ...positionOf(text, "1]") },
    ])
  })

  it("reports a list item of the wrong type with the item's expectation", async () => {
    const text = edit(minimalSpec, "    stratify: false\n", "    stratify: false\n  cleaning:\n    drop_labels: [maybe, 3]\n")
    expect(await single(text)).toStrictEqual({ path: "data.cleaning.drop_labels[1]", expected: "a label string", found: "3", ...positionOf(text, "3]") })
  })

  it("reports an empty value as null", async () => {
    const text = edit(minimalSpec, "  dir: out\n", "  dir:\n")
    const { line } = positionOf(text, "  dir:")
    expect(await single(text)).toStrictEqual({ path: "output.dir", expected: "a path to the results folder", found: "null", line, column: 7 })
  })

  it("reports a document that is not a mapping", async () => {
    expect(await single("just text\n")).toStrictEqual({ path: "", expected: "a mapping of spec fields", found: '"just text"', line: 1, column: 1 })
  })

  it("reports YAML syntax errors with their position and no decoding issues", async () => {
    const text = edit(minimalSpec, "name: tiny", "name: tiny: x")
    const error = await decodeError(text)
    expect(error.issues).toHaveLength(1)
    const { line } = positionOf(text, "name: tiny: x")
    expect(error.issues[0]).toMatchObject({ path: "", expected: "valid YAML", line })
    expect(error.detail).toMatch(new RegExp(`^YAML syntax error: .+ \\(line ${line}:\\d+\\)$`))
  })

  it("reports several problems at once, one line each in file order", async () => {
    let text = edit(minimalSpec, "max_length: 64", "max_length: eight")
    text = edit(text, "seed: 7", "seed: -1")
    text = edit(text, "  mcnemar: false\n", "")
    const error = await decodeError(text)
    const at = (needle: string) => {
      const { line, column } = positionOf(text, needle)
      return `(line ${line}:${column})`
    }
    expect(error.detail).toBe(
      [
        `seed: expected an integer >= 0, got -1 ${at("-1")}`,
        `training.max_length: expected a positive integer, got "eight" ${at("eight")}`,
        `stats.mcnemar: expected true or false, got nothing ${at("baseline")}`,
      ].join("\n"),
    )
    expect(error.source).toBe("spec.yaml")
    expect(error._tag).toBe("SpecError")
    expect(isInputError(error)).toBe(true)
    expect(error.message).toBe(`spec.yaml:\n${error.detail}`)
  })
})
