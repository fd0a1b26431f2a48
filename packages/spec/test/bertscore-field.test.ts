// evaluation.bertscore: BERTScore of generated answers with an encoder the spec names (its folder
// or Hugging Face id) and the layer matched, idf weights off by default; only a generative-qa task
// has generated answers, so only there is it accepted.
import { describe, expect, it } from "vitest"
import { decodeError, decodeOk, edit, minimalQaSpec, minimalSpec, positionOf } from "./fixtures.ts"

const withBertScore = (text: string, value: string) => edit(text, "  metrics: [accuracy, macro_f1]\n", `  metrics: [accuracy, macro_f1]\n  bertscore: ${value}\n`)


describe("evaluation.bertscore", () => {
  it("is absent by default, and takes model, layer and optionally idf and baseline on a generative-qa task", async () => {
    expect((await decodeOk(minimalQaSpec)).spec.evaluation.bertscore).toBeUndefined()
    expect((await decodeOk(withBertScore(minimalQaSpec, "{ model: sentence-transformers/all-MiniLM-L6-v2, layer: 6 }"))).spec.evaluation.bertscore).toEqual({
      model: "sentence-transformers/all-MiniLM-L6-v2",
      layer: 6,
      idf: false,
    })
    expect((await decodeOk(withBertScore(minimalQaSpec, "{ model: enc, layer: 0, idf: true, baseline: b.tsv }"))).spec.evaluation.bertscore).toEqual({ model: "enc", layer: 0, idf: true, baseline: "b.tsv" })
  })

  it("refuses a missing layer and a negative one, at the field", async () => {
    const noLayer = withBertScore(minimalQaSpec, "{ model: enc }")
    expect((await decodeError(noLayer)).issues.map((issue) => [issue.path, issue.expected])).toStrictEqual([
      ["evaluation.bertscore.layer", "an integer >= 0 (the encoder layer whose hidden states are matched; 0 is the embeddings)"],
    ])
    const negative = withBertScore(minimalQaSpec, "{ model: enc, layer: -1 }")
    expect((await decodeError(negative)).issues).toStrictEqual([
      { path: "evaluation.bertscore.layer", expected: "an integer >= 0 (the encoder layer whose hidden states are matched; 0 is the embeddings)", found: "-1", ...positionOf(negative, "-1") },
    ])
  })

  it("refuses BERTScore where no answers are generated (a classification task)", async () => {
    const text = withBertScore(minimalSpec, "{ model: enc, layer: 2 }")
    expect((await decodeError(text)).issues.map((issue) => [issue.path, issue.expected])).toStrictEqual([
      ["evaluation.bertscore", "no bertscore (BERTScore scores only the generated answers of task.kind generative-qa)"],
    ])
  })
})
