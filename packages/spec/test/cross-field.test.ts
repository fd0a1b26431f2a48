import { describe, expect, it } from "vitest"
import { decodeError, decodeOk, edit, minimalSpec, positionOf } from "./fixtures.ts"

const onlyIssue = async (text: string) => {
  const error = await decodeError(text)
  expect(error.issues).toHaveLength(1)
  return error.issues[0]
}

describe("decodeSpecText: rules across fields", () => {
  it("requires unique arm names and points at the repeated one", async () => {
    const text = edit(minimalSpec, "name: prompt", "name: base")
    const { line, column } = positionOf(text, "base\n    kind: prompt")
    expect(await onlyIssue(text)).toStrictEqual({
      path: "arms[1].name",
      expected: 'a name no other arm has (arms[0] is also named "base")',
      found: '"base"',
      line,
      column,
    })
  })

  it("requires each label's verbalizer to differ from the others'", async () => {
    const text = edit(minimalSpec, '"no": " no"', '"no": " yes"')
    const key = positionOf(text, '"no": " yes"')
    expect(await onlyIssue(text)).toStrictEqual({
      path: "task.labels.no",
      expected: 'a verbalizer no other label has (label "yes" is also " yes")',
      found: '" yes"',
      line: key.line,
      column: key.column + '"no": '.length,
    })
  })

  it("requires stats.baseline to name an arm", async () => {
    const text = edit(minimalSpec, "baseline: base", "baseline: bse")
    expect(await onlyIssue(text)).toStrictEqual({
      path: "stats.baseline",
      expected: "the name of an arm (one of base, prompt)",
      found: '"bse"',
      ...positionOf(text, "bse"),
    })
  })

  // A prompt arm's init_text with init: text is its method's rule: runner/test/builtin-method-arms.test.ts.

  it("requires split fractions to sum to 1 within 1e-9", async () => {
    const text = edit(minimalSpec, "test: 0.25", "test: 0.5")
    // 0.5 + 0.25 + 0.5, reported at the split mapping.
    expect(await onlyIssue(text)).toStrictEqual({ path: "data.split", expected: "train + val + test to sum to 1", found: "1.25", ...positionOf(text, "train: 0.5") })
    // 0.7 + 0.2 + 0.1 is 0.9999999999999999 in floating point: within tolerance.
    const floaty = edit(edit(edit(minimalSpec, "train: 0.5", "train: 0.7"), "val: 0.25", "val: 0.2"), "test: 0.25", "test: 0.1")
    expect((await decodeOk(floaty)).spec.data.split.train).toBe(0.7)
  })

  it("requires max_new_tokens when evaluation mode is generate", async () => {
    const text = edit(minimalSpec, "mode: label-score", "mode: generate")
    expect(await onlyIssue(text)).toStrictEqual({
      path: "evaluation.max_new_tokens",
      expected: "a positive integer (required when mode is generate)",
      found: "nothing",
      ...positionOf(text, "mode: generate"),
    })
    const fixed = edit(text, "mode: generate", "mode: generate\n  max_new_tokens: 2")
    expect((await decodeOk(fixed)).spec.evaluation.max_new_tokens).toBe(2)
  })

  it("requires {context} in the template and no unknown placeholders", async () => {
    const expected = "a template with {context} and no placeholders other than {question} and {context}"
    const noContext = edit(minimalSpec, '"Q: {question} C: {context}"', '"Q: {question}"')
    expect(await onlyIssue(noContext)).toStrictEqual({ path: "task.template", expected, found: '"Q: {question}"', ...positionOf(noContext, '"Q:') })
    const typo = edit(minimalSpec, "{question}", "{questoin}")
    expect(await onlyIssue(typo)).toMatchObject({ path: "task.template", found: '"Q: {questoin} C: {context}"' })
  })

  it("decodes a generative-qa task, whose template needs {question}, validated by loss on generated answers", async () => {
    const qa = edit(edit(minimalSpec, '"Q: {question} C: {context}"', '"Answer: {question}"\n  kind: generative-qa'), "mode: label-score", "mode: generate\n  max_new_tokens: 8")
    const labelled = qa.replace(/\n  labels:\n(    .*\n)+/, "\n")
    const issues = (await decodeError(labelled)).issues.map((issue) => [issue.path, issue.expected])
    expect(issues).toStrictEqual([["training.select_by", "loss (a generative-qa task is validated by response NLL)"]])
    const valid = edit(labelled, "max_length:", "select_by: loss\n  max_length:")
    expect((await decodeOk(valid)).spec.task).toStrictEqual({ kind: "generative-qa", template: "Answer: {question}" })
    const withContext = edit(valid, '"Answer: {question}"', '"Answer: {question} {context}"')
    expect(await onlyIssue(withContext)).toMatchObject({ path: "task.template", expected: "a template with {question} and no other placeholders" })
  })

  it("reports every broken rule at once", async () => {
    const text = edit(edit(minimalSpec, "name: prompt", "name: base"), "mode: label-score", "mode: generate")
    const error = await decodeError(text)
    expect(error.issues.map((issue) => issue.path)).toStrictEqual(["arms[1].name", "evaluation.max_new_tokens"])
  })
})
