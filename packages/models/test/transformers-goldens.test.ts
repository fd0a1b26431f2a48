// Every architecture against transformers itself (goldens/): each golden case's tiny checkpoint,
// written by peftlab from its seed, gives what transformers computed on it (the committed
// <architecture>-transformers.json): logits and hidden states within 1e-4 in float32, pooled
// outputs too, losses with labels within 1e-5 relative, and greedy generations with the
// key/value cache token for token. Where .ci/run has made the goldens venv, transformers also runs
// live on the same checkpoints, every case in one python process, and must give the fixtures.
// Regenerate the fixtures with `node tools/goldens/models.ts`.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { goldensPython, transformersGoldens } from "@peftlab/references"
import { beforeAll, describe, expect, it } from "vitest"
import { goldenRequest, keptOutputs, writeGoldenCheckpoints, type CaseOutputs, type GoldenFixture } from "./goldens/cases.ts"
import { goldenSets } from "./goldens/index.ts"
import { peftlabOutputs } from "./goldens/peftlab-outputs.ts"

const tolerance = 1e-4
const lossTolerance = 1e-5

type Nested = number | ReadonlyArray<Nested>
/** The largest absolute difference between two equally nested arrays (NaN where their shapes differ). */
const maxAbsDiff = (a: Nested, b: Nested | undefined): number => {
  if (typeof a === "number") return typeof b === "number" ? Math.abs(a - b) : Number.NaN
  if (typeof b === "number" || b === undefined || a.length !== b.length) return Number.NaN
  return a.reduce<number>((max, value, i) => Math.max(max, maxAbsDiff(value, b[i])), 0)
}
const maxAbs = (a: Nested): number => (typeof a === "number" ? Math.abs(a) : a.reduce<number>((max, value) => Math.max(max, maxAbs(value)), 0))

const fixtureOf = (architecture: string): GoldenFixture => JSON.parse(readFileSync(join(import.meta.dirname, "goldens", `${architecture}-transformers.json`), "utf8")) as GoldenFixture

const cases = goldenSets.flatMap((set) => set.cases)
let dirs: Array<string> = []
beforeAll(async () => {
  await cpu.setup()
  dirs = await writeGoldenCheckpoints(cases)
})

/** Each golden's checkpoint folder, by the golden itself. */
const dirOf = (golden: (typeof cases)[number]): string => dirs[cases.indexOf(golden)]!

describe.each(goldenSets)("$architecture against transformers", ({ architecture, cases: setCases }) => {
  const fixture = fixtureOf(architecture)

  it("the fixture holds every case, computed by transformers", () => {
    expect(fixture.cases.map((c) => c.name)).toEqual(setCases.map((c) => c.name))
    expect(fixture.transformers).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it.each(setCases.map((golden, i) => [golden.name, golden, i] as const))("%s", async (_, golden, i) => {
    const ours = await peftlabOutputs(golden, dirOf(golden))
    const theirs: CaseOutputs = fixture.cases[i]!
    const compared = (["logits", "hidden", "pooled"] as const).filter((key) => theirs[key] !== undefined)
    // What the architecture computes is all there: logits or hidden states, a loss and a generation where asked for.
    expect(compared.length).toBeGreaterThan(0)
    expect([theirs.loss !== undefined, theirs.generated !== undefined]).toEqual([golden.kind !== "encoder" && golden.labels !== undefined, golden.kind !== "encoder" && golden.generate !== undefined])
    for (const key of compared) {
      // The fixture's values are not small: a difference of 1e-4 is one in thousands of their spread.
      expect(maxAbs(theirs[key]!)).toBeGreaterThan(0.1)
      expect(maxAbsDiff(ours[key]!, theirs[key]), key).toBeLessThan(tolerance)
    }
    if (theirs.loss !== undefined) expect(Math.abs(ours.loss! - theirs.loss) / theirs.loss).toBeLessThan(lossTolerance)
    if (theirs.generated !== undefined) expect(ours.generated).toEqual(theirs.generated)
  })
})

const python = goldensPython()
if (python === undefined) console.warn("skipping the live transformers cross-check: no .venv-goldens (.ci/run makes it from packages/references/python/requirements.txt)")
describe("the fixtures, against transformers live", () => {
  it.skipIf(python === undefined)("transformers on the same checkpoints gives every fixture's values (skipped without .venv-goldens: .ci/run makes it)", async () => {
    const answer = await transformersGoldens(python!, cases.map((golden) => goldenRequest(golden, dirOf(golden))))
    for (const { architecture, cases: setCases } of goldenSets) {
      const fixture = fixtureOf(architecture)
      setCases.forEach((golden, i) => {
        const live = keptOutputs(golden, answer.cases[cases.indexOf(golden)]!)
        const stored = fixture.cases[i]!
        // The fixture holds seven significant digits.
        for (const key of ["logits", "hidden", "pooled"] as const) if (stored[key]) expect(maxAbsDiff(live[key]!, stored[key])).toBeLessThan(1e-5)
        if (stored.loss !== undefined) expect(Math.abs(live.loss! - stored.loss) / stored.loss).toBeLessThan(1e-6)
        expect(live.generated).toEqual(stored.generated)
      })
    }
  }, 300_000)
})
