import { describe, expect, it } from "vitest"
import { datasetHash, type ClassificationExample, type QAExample } from "../src/index.ts"

const examples: Array<ClassificationExample> = [
  { id: "1", question: "Is it?", context: "Yes it is.", label: "yes" },
  { id: "2", question: 'Café "q"?', context: "ctx", label: "no" },
]

describe("datasetHash", () => {
  it("matches sha256 of the canonical tuples computed independently", () => {
    // Python: hashlib.sha256(json.dumps([[id, question, context, label], ...],
    //   separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    expect(datasetHash(examples)).toBe("0bbbd802de3c47ca08dab02659bc7c463d40661533c4c185f3437f086458d042")
  })

  it("ignores object key order but not example order or content", () => {
    const reordered = examples.map(({ label, context, question, id }) => ({ label, context, question, id }))
    expect(datasetHash(reordered)).toBe(datasetHash(examples))
    expect(datasetHash([...examples].reverse())).not.toBe(datasetHash(examples))
    expect(datasetHash([examples[0]!, { ...examples[1]!, label: "yes" }])).not.toBe(datasetHash(examples))
  })
})

describe("datasetHash of QA examples", () => {
  const qa: Array<QAExample> = [
    { id: "a/1#1", question: "Q?", answer: "A é", metadata: { source: "S" } },
    { id: "2", question: "q", context: "c", answer: "x", metadata: {} },
  ]

  it("hashes [id, question, context or null, answer] tuples, leaving metadata out", () => {
    // Python: hashlib.sha256(json.dumps([["a/1#1", "Q?", None, "A é"], ["2", "q", "c", "x"]],
    //   separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    expect(datasetHash(qa)).toBe("e995fa32562c800d3426542617fd75d67a0ce453bcbbc3f3585d80d83f472d6c")
    expect(datasetHash([{ ...qa[0]!, metadata: {} }, qa[1]!])).toBe(datasetHash(qa))
  })
})
