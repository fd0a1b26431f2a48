import { describe, expect, it } from "vitest"
import { repoFolderName } from "../src/index.ts"
import { isCommitHash, repoIdProblem, repoPathProblem } from "../src/repo-id.ts"

describe("repoFolderName", () => {
  it("pluralises the type and turns slashes into --, as in the hub cache docs", () => {
    expect(repoFolderName("model", "julien-c/EsperBERTo-small")).toBe("models--julien-c--EsperBERTo-small")
    expect(repoFolderName("dataset", "huggingface/DataMeasurementsFiles")).toBe("datasets--huggingface--DataMeasurementsFiles")
    expect(repoFolderName("model", "bert-base-cased")).toBe("models--bert-base-cased")
  })
})

describe("repoIdProblem", () => {
  it("accepts ids huggingface_hub accepts", () => {
    for (const id of ["google/flan-t5-small", "gpt2", "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "a_b/c.d"]) expect(repoIdProblem(id)).toBeUndefined()
  })

  it("rejects the ones it rejects", () => {
    for (const id of ["", "a/b/c", "org/na me", "-org/name", "org/name.", "org--x/name", "org/a..b", "org/name.git", `org/${"x".repeat(93)}`]) {
      expect(repoIdProblem(id)).toBeDefined()
    }
  })
})

describe("repoPathProblem", () => {
  it("accepts relative paths inside a repo and rejects any way out", () => {
    for (const path of ["config.json", "pqa_labeled/train.jsonl", "refs/pr/1"]) expect(repoPathProblem(path)).toBeUndefined()
    for (const path of ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b"]) expect(repoPathProblem(path)).toBeDefined()
  })
})

describe("isCommitHash", () => {
  it("is true for 40 lowercase hex digits only", () => {
    expect(isCommitHash("bbc77c8132af1cc5cf678da3f1ddf2de43606d48")).toBe(true)
    expect(isCommitHash("main")).toBe(false)
    expect(isCommitHash("BBC77C8132AF1CC5CF678DA3F1DDF2DE43606D48")).toBe(false)
    expect(isCommitHash("bbc77c8")).toBe(false)
  })
})
