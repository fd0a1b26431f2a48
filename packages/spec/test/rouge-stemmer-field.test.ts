// evaluation.rouge_stemmer: whether ROUGE of generated answers Porter-stems tokens as rouge-score's
// use_stemmer does. Off by default (what peftlab did before the field, and rouge-score's default);
// only a generative-qa task is scored with ROUGE, so only there may it be on.
import { describe, expect, it } from "vitest"
import { decodeError, decodeOk, edit, minimalQaSpec, minimalSpec, positionOf } from "./fixtures.ts"

const withStemmer = (text: string, value: string) => edit(text, "  metrics: [accuracy, macro_f1]\n", `  metrics: [accuracy, macro_f1]\n  rouge_stemmer: ${value}\n`)


describe("evaluation.rouge_stemmer", () => {
  it("defaults to false", async () => {
    expect((await decodeOk(minimalSpec)).spec.evaluation.rouge_stemmer).toBe(false)
    expect((await decodeOk(minimalQaSpec)).spec.evaluation.rouge_stemmer).toBe(false)
  })

  it("is true or false on a generative-qa task", async () => {
    expect((await decodeOk(withStemmer(minimalQaSpec, "true"))).spec.evaluation.rouge_stemmer).toBe(true)
    expect((await decodeOk(withStemmer(minimalQaSpec, "false"))).spec.evaluation.rouge_stemmer).toBe(false)
  })

  it("refuses anything but a boolean, at the value", async () => {
    const text = withStemmer(minimalQaSpec, "porter")
    expect((await decodeError(text)).issues).toStrictEqual([{ path: "evaluation.rouge_stemmer", expected: "true or false", found: '"porter"', ...positionOf(text, "porter") }])
  })

  it("refuses true where no ROUGE is computed (a classification task), and allows false", async () => {
    const text = withStemmer(minimalSpec, "true")
    expect((await decodeError(text)).issues).toStrictEqual([
      { path: "evaluation.rouge_stemmer", expected: "false (ROUGE scores only the answers of task.kind generative-qa)", found: "true", ...positionOf(text, "true") },
    ])
    expect((await decodeOk(withStemmer(minimalSpec, "false"))).spec.evaluation.rouge_stemmer).toBe(false)
  })
})
