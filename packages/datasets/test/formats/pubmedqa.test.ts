import { Effect } from "effect"
import { isInputError } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { loadPubMedQA } from "../../src/index.ts"
import { entry, writeTempFile } from "../fixtures.ts"

// Keys are listed out of numeric order on purpose: JSON.parse yields integer-like keys ascending.
const messy = {
  "108": entry("Label missing?", ["C8."], " "),
  "101": entry("Does A cause B?", ["First part.", "Second part."], "yes"),
  "102": entry("Is C safe?", ["C was tested."], " No "),
  "103": entry("Maybe D?", ["D."], "maybe"),
  "104": entry("Maybe E?", ["E."], "MAYBE"),
  "105": entry("Does A cause B?", ["First part.", "Second part."], "no"),
  "106": entry("   ", ["F."], "yes"),
  "107": entry("Empty context?", [], "no"),
}

const load = (content: unknown, options?: Parameters<typeof loadPubMedQA>[1]) =>
  Effect.runPromise(loadPubMedQA(writeTempFile("ori_pqal.json", JSON.stringify(content)), options))

const loadError = (text: string, options?: Parameters<typeof loadPubMedQA>[1]) => {
  const path = writeTempFile("ori_pqal.json", text)
  return Effect.runPromise(Effect.flip(loadPubMedQA(path, options))).then((error) => ({ path, error }))
}

describe("loadPubMedQA", () => {
  it("joins contexts, normalises labels and counts every dropped example by reason", async () => {
    const { examples, report } = await load(messy)
    expect(examples).toEqual([
      { id: "101", question: "Does A cause B?", context: "First part. Second part.", label: "yes" },
      { id: "102", question: "Is C safe?", context: "C was tested.", label: "no" },
    ])
    expect(report.read).toBe(8)
    expect(report.kept).toBe(2)
    expect(report.dropped).toEqual({
      'label "maybe"': 2,
      "duplicate (question, context)": 1,
      "empty text": 2,
      "empty label": 1,
    })
  })

  it("keeps everything as read when all cleaning is turned off", async () => {
    const { examples, report } = await load(messy, { dropLabels: [], lowercaseLabels: false, dedupe: false, dropEmpty: false })
    expect(examples.map((e) => e.id)).toEqual(["101", "102", "103", "104", "105", "106", "107", "108"])
    expect(examples.map((e) => e.label)).toEqual(["yes", " No ", "maybe", "MAYBE", "no", "yes", "no", " "])
    expect(report).toMatchObject({ read: 8, kept: 8, dropped: {} })
  })

  it("compares dropLabels after normalisation, before the other checks", async () => {
    const { examples, report } = await load(messy, { dropLabels: ["No"] })
    expect(examples.map((e) => [e.id, e.label])).toEqual([["101", "yes"], ["103", "maybe"], ["104", "maybe"]])
    // 107 has an empty context too but is counted once, under its label.
    expect(report.dropped).toEqual({ 'label "no"': 3, "empty text": 1, "empty label": 1 })
  })

  it("keeps duplicates when dedupe is off", async () => {
    const { examples } = await load(messy, { dedupe: false })
    expect(examples.map((e) => e.id)).toEqual(["101", "102", "105"])
  })

  it("reads other field names, including a plain-string context", async () => {
    const { examples } = await load(messy, { fields: { context: "LONG_ANSWER" } })
    expect(examples[0]).toEqual({ id: "101", question: "Does A cause B?", context: "long answer to Does A cause B?", label: "yes" })
  })

  it("names a missing file", async () => {
    const path = "/nonexistent/ori_pqal.json"
    const error = await Effect.runPromise(Effect.flip(loadPubMedQA(path)))
    expect(error).toMatchObject({ _tag: "DataFileError", source: path, detail: "file not found" })
    expect(isInputError(error)).toBe(true)
  })

  it("gives the line and column of invalid JSON", async () => {
    const { path, error } = await loadError('{\n  "1": {"QUESTION": "q",\n    "CONTEXTS": ]}}')
    expect(error.source).toBe(path)
    // The stray "]" is on line 3 after four spaces and `"CONTEXTS": ` (12 characters).
    expect(error.detail).toMatch(/^invalid JSON at line 3, column 17: /)
  })

  it("names the PMID, the field and what was expected for a bad entry", async () => {
    const bad = (e: object) => loadError(JSON.stringify({ "101": messy["101"], "77": e })).then((r) => r.error.detail)
    expect(await bad({ QUESTION: "q", CONTEXTS: ["c"] })).toBe('PMID 77, field "final_decision": missing, expected a string')
    expect(await bad({ QUESTION: 5, CONTEXTS: ["c"], final_decision: "yes" })).toBe('PMID 77, field "QUESTION": Expected string, got 5')
    expect(await bad({ QUESTION: "q", CONTEXTS: ["c", null], final_decision: "yes" })).toBe('PMID 77, field "CONTEXTS"[1]: Expected string, got null')
    expect(await bad({ QUESTION: "q", CONTEXTS: {}, final_decision: "yes" })).toMatch(/^PMID 77, field "CONTEXTS": Expected string \| array/)
    expect((await loadError("[1, 2]")).error.detail).toBe("expected an object keyed by PMID, got an array")
  })

  it("rejects field options that name the same key twice", async () => {
    const { error } = await loadError(JSON.stringify(messy), { fields: { context: "QUESTION" } })
    expect(error.detail).toBe('fields must name three different keys, got {"question":"QUESTION","context":"QUESTION","label":"final_decision"}')
  })
})
