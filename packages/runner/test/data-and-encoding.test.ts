import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadTokenizer } from "@peftlab/tokenizers"
import { encodedTask, prepareData } from "../src/index.ts"
import { quickstartSpec, shared } from "./fixtures.ts"

const count = (rows: ReadonlyArray<{ label: string }>, label: string) => rows.filter((r) => r.label === label).length

describe.skipIf(!shared)("prepareData", () => {
  it("splits PubMedQA as the spec says and subsets train to the limit, keeping class shares", async () => {
    const spec = await quickstartSpec()
    const data = await Effect.runPromise(prepareData(spec))
    expect(data.labels).toEqual(["yes", "no"])
    expect(data.splits.val).toHaveLength(48)
    expect(data.splits.test).toHaveLength(89)
    expect(data.splits.train).toHaveLength(128)
    // 128 of 712 with 442 yes: 128 * 442 / 712 = 79.46, so 79 yes and 49 no.
    expect(count(data.splits.train, "yes")).toBe(79)
    expect(count(data.splits.train, "no")).toBe(49)
    expect(data.report.dropped['label "maybe"']).toBe(110)
  })

  it("fails naming the data file and the label when the data has a label the task cannot verbalize", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-runner-"))
    const file = join(dir, "ori_pqal.json")
    const entry = (label: string) => ({ QUESTION: `q ${label}?`, CONTEXTS: [`c ${label}`], final_decision: label })
    writeFileSync(file, JSON.stringify({ 1: entry("yes"), 2: entry("no"), 3: entry("maybe") }))
    const spec = await quickstartSpec((s) => ({ ...s, data: { ...s.data, path: file, cleaning: { ...s.data.cleaning, drop_labels: [] } } }))
    const error = await Effect.runPromise(Effect.flip(prepareData(spec)))
    expect(error.message).toContain(file)
    expect(error.message).toContain('example 3 has label "maybe"')
  })
})

describe.skipIf(!shared)("encodedTask", () => {
  it("encodes prompts within max_length minus the label tokens, and verbalizers as continuations", async () => {
    const spec = await quickstartSpec()
    const tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    const task = encodedTask(spec, tokenizer, ["yes", "no"])
    expect(task.labelIds).toEqual([tokenizer.continuationIds(" yes"), tokenizer.continuationIds(" no")])
    const data = await Effect.runPromise(prepareData(spec))
    const encoded = await Effect.runPromise(task.encode(data.splits.test))
    const reserve = Math.max(...task.labelIds.map((ids) => ids.length))
    for (const e of encoded) expect(e.prompt.length).toBeLessThanOrEqual(spec.training.max_length - reserve)
    expect(encoded.map((e) => task.labels[e.label])).toEqual(data.splits.test.map((e) => e.label))
    expect(encoded[0]!.prompt[0]).toBe(tokenizer.bosId)
  })

  it("names the example and the spec field when a prompt cannot fit", async () => {
    const spec = await quickstartSpec((s) => ({ ...s, training: { ...s.training, max_length: 8 } }))
    const tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    const data = await Effect.runPromise(prepareData(spec))
    const error = await Effect.runPromise(Effect.flip(encodedTask(spec, tokenizer, ["yes", "no"]).encode(data.splits.test.slice(0, 1))))
    expect(error.message).toMatch(new RegExp(`^training.max_length: example ${data.splits.test[0]!.id}: .*raise training.max_length`))
  })
})
