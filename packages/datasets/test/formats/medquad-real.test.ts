import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { datasetHash, loadMedQuAD, seededSplit, type Loaded, type QAExample } from "../../src/index.ts"

const data = process.env.PEFTLAB_DATA
if (!data) console.warn("skipping real MedQuAD tests: PEFTLAB_DATA unset")

const countBy = (examples: ReadonlyArray<QAExample>, key: string): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const e of examples) counts[e.metadata[key] ?? ""] = (counts[e.metadata[key] ?? ""] ?? 0) + 1
  return counts
}

// Reference counts from ElementTree, independently of this loader (run in $PEFTLAB_DATA/medquad):
//   python3 -c 'import os, re, collections, xml.etree.ElementTree as ET
//   n = lambda s: re.sub(r"\s+", " ", s or "").strip(); seen = set(); src = collections.Counter(); read = 0
//   for p in sorted(os.path.relpath(os.path.join(d, f)) for d, _, fs in os.walk(".") for f in fs if f.endswith(".xml")):
//     r = ET.parse(p).getroot()
//     for qp in r.findall("QAPairs/QAPair"):
//       read += 1; q, a = n(qp.find("Question").text), n(qp.find("Answer").text)
//       if a and (q, a) not in seen: seen.add((q, a)); src[r.get("source")] += 1
//   print(read, len(seen), src)'
// gives 47441 pairs read, 16359 answered distinct pairs and the per-source counts below;
// counting answered pairs without dedupe gives 16407 (the count).
describe.skipIf(!data)("MedQuAD XML tree", () => {
  let loaded: Loaded<QAExample>
  beforeAll(async () => {
    const started = performance.now()
    loaded = await Effect.runPromise(loadMedQuAD(join(data ?? "", "medquad")))
    console.info(`MedQuAD: ${loaded.report.read} pairs loaded in ${Math.round(performance.now() - started)} ms`)
  })

  it("reads 47,441 pairs, keeps the 16,407 answered, and drops 48 duplicates of them", () => {
    const { report } = loaded
    expect(report.read).toBe(47441)
    expect(report.read - (report.dropped["empty answer"] ?? 0)).toBe(16407)
    expect(report.dropped).toEqual({ "empty answer": 31034, "duplicate (question, answer)": 48 })
    expect(report.kept).toBe(16359)
    // Four NINDS files use another layout (<doc>/<qaPairs>/<pair>), outside the counts above.
    expect(report.skippedFiles).toEqual({ "no <QAPairs> (root <doc>)": 4 })
  })

  it("keeps the source of every pair for slicing", () => {
    expect(countBy(loaded.examples, "source")).toEqual({
      CancerGov: 729, GARD: 5389, GHR: 5430, MPlusHealthTopics: 981, NIDDK: 1144, NINDS: 1088, NIHSeniorHealth: 769, NHLBI: 559, CDC: 270,
    })
    expect(Object.keys(countBy(loaded.examples, "qtype"))).toHaveLength(16)
    expect(new Set(loaded.examples.map((e) => e.id)).size).toBe(16359)
  })

  it("splits 80/10/10 with a seed into 13087/1636/1636 disjoint parts, the same each time", () => {
    const fractions = { train: 0.8, val: 0.1, test: 0.1 }
    // round(16359 * 0.8) = 13087, round(16359 * 0.1) = 1636, the rest 1636.
    const { train, val, test } = seededSplit(loaded.examples, fractions, 42)
    expect([train.length, val.length, test.length]).toEqual([13087, 1636, 1636])
    expect(new Set([...train, ...val, ...test].map((e) => e.id)).size).toBe(16359)
    expect(datasetHash(seededSplit(loaded.examples, fractions, 42).test)).toBe(datasetHash(test))
  })
})
