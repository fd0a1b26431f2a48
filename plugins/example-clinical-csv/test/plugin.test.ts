import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { DatasetKind } from "@peftlab/plugin-api"
import { builtinRegistry } from "@peftlab/runner"
import { clinicalNotesKind, positiveRecall, register } from "../src/index.ts"

const fixture = join(import.meta.dirname, "fixtures", "notes.csv")

/** The spec's data section as a spec of this kind decodes it (default cleaning). */
const dataAt = (path: string): Parameters<DatasetKind["load"]>[0] => ({
  kind: "clinical_notes",
  path,
  fields: {},
  cleaning: { drop_labels: ["maybe"], lowercase_labels: true, dedupe: true, drop_empty: true },
  split: { train: 0.5, val: 0.25, test: 0.25, stratify: true, seed: 1 },
})

describe("register", () => {
  it("adds the clinical_notes data kind and the positive_recall metric to a registry", () => {
    const registry = builtinRegistry()
    register(registry)
    expect(registry.get("datasets", "clinical_notes")).toBe(clinicalNotesKind)
    expect(registry.get("metrics", "positive_recall")).toBe(positiveRecall)
    expect(() => register(registry)).toThrow('datasets registry: "clinical_notes" is already registered')
  })
})

describe("clinicalNotesKind", () => {
  it("reads note_id, note_text and outcome, with 1 as positive and 0 as negative", async () => {
    const { examples, report } = await Effect.runPromise(clinicalNotesKind.load(dataAt(fixture)))
    // The fixture alternates outcome 1 and 0 over 40 rows.
    expect(report).toMatchObject({ read: 40, kept: 40, dropped: {} })
    expect(examples.filter((e) => e.label === "positive")).toHaveLength(20)
    expect(examples[0]).toStrictEqual({ id: "N001", question: "", context: "Discharged on day 3 after CHF exacerbation; missed follow-up, weight up 4 kg.", label: "positive" })
    expect(examples[1]).toMatchObject({ id: "N002", label: "negative" })
  })

  it("drops and counts an outcome other than 0 or 1, and names the line of a malformed row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-notes-"))
    const odd = join(dir, "odd.csv")
    writeFileSync(odd, "note_id,note_text,outcome\nA,fever,1\nB,cough,2\nC,rash,0\n")
    const { examples, report } = await Effect.runPromise(clinicalNotesKind.load(dataAt(odd)))
    expect(examples.map((e) => e.label)).toStrictEqual(["positive", "negative"])
    expect(report.dropped).toStrictEqual({ 'label "2"': 1 })
    const broken = join(dir, "broken.csv")
    writeFileSync(broken, "note_id,note_text,outcome\nA,fever,1\nB,cough\n")
    const error = await Effect.runPromise(Effect.flip(clinicalNotesKind.load(dataAt(broken))))
    expect(error.message).toContain(broken)
    expect(error.message).toContain("line 3")
  })
})

describe("positiveRecall", () => {
  const labels = ["positive", "negative"]
  it("is the share of gold positives predicted positive, an unparsed answer counting as a miss", async () => {
    // Gold positives at 0, 1, 2: predicted positive at 0 only → 1/3.
    const gold = ["positive", "positive", "positive", "negative"]
    expect(await Effect.runPromise(positiveRecall.compute({ gold, pred: ["positive", "negative", "(unparsed)", "positive"], labels }))).toBeCloseTo(1 / 3, 12)
    expect(await Effect.runPromise(positiveRecall.compute({ gold: ["negative", "negative"], pred: ["positive", "negative"], labels }))).toBe(0)
  })

  it("needs a positive label", async () => {
    const error = await Effect.runPromise(Effect.flip(positiveRecall.compute({ gold: ["yes"], pred: ["yes"], labels: ["yes", "no"] })))
    expect(error._tag).toBe("MetricInputError")
    expect(error.message).toContain('positive_recall: needs a label "positive" in task.labels, got yes, no')
  })
})
