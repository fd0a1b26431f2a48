import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { pubmedqaFile } from "@peftlab/quickstart-assets"
import { datasetHash, loadPubMedQA, stratifiedSplit, type ClassificationExample } from "../../src/index.ts"

const countLabels = (examples: ReadonlyArray<ClassificationExample>) => ({
  yes: examples.filter((e) => e.label === "yes").length,
  no: examples.filter((e) => e.label === "no").length,
})

describe("PubMedQA ori_pqal.json", () => {
  const load = () => Effect.runPromise(loadPubMedQA(pubmedqaFile))

  it("keeps the 890 yes/no items (552/338 per the data README) and drops the 110 maybes", async () => {
    const { examples, report } = await load()
    expect(report).toMatchObject({ read: 1000, kept: 890, dropped: { 'label "maybe"': 110 } })
    expect(countLabels(examples)).toEqual({ yes: 552, no: 338 })
  })

  it("splits 0.8/0.1/0.1 with seed 42 into 712/89/89, stratified", async () => {
    const { examples } = await load()
    const { train, val, test } = stratifiedSplit(examples, { train: 0.8, val: 0.1, test: 0.1 }, 42)
    expect(countLabels(train)).toEqual({ yes: 442, no: 270 })
    expect(countLabels(val)).toEqual({ yes: 55, no: 34 })
    expect(countLabels(test)).toEqual({ yes: 55, no: 34 })
    const ids = [...train, ...val, ...test].map((e) => e.id)
    expect(new Set(ids).size).toBe(890)
    expect(datasetHash(stratifiedSplit(examples, { train: 0.8, val: 0.1, test: 0.1 }, 42).test)).toBe(datasetHash(test))
    expect(datasetHash(stratifiedSplit(examples, { train: 0.8, val: 0.1, test: 0.1 }, 43).test)).not.toBe(datasetHash(test))
  })
})
