// Writes packages/models/test/goldens/<architecture>-transformers.json, one fixture per
// architecture: what transformers computes (logits, hidden states, pooled outputs, losses, greedy
// generations; see packages/references/python/model_goldens.py) for each golden case
// (packages/models/test/goldens/*-cases.ts) on the tiny checkpoint peftlab writes from its seed,
// with the transformers and torch versions it was computed with. Every case runs in one python
// process.
//   node tools/goldens/models.ts      (needs .venv-goldens, which .ci/run makes)
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { goldensPython, transformersGoldens } from "@peftlab/references"
import { goldenRequest, keptOutputs, writeGoldenCheckpoints, type CaseOutputs, type GoldenFixture } from "../../packages/models/test/goldens/cases.ts"
import { goldenSets } from "../../packages/models/test/goldens/index.ts"

const python = goldensPython()
if (python === undefined) {
  console.error("goldens: no .venv-goldens at the repository root (.ci/run makes it from packages/references/python/requirements.txt)")
  process.exit(2)
}
const cases = goldenSets.flatMap((set) => set.cases)
const dirs = await writeGoldenCheckpoints(cases)
const answer = await transformersGoldens(python, cases.map((golden, i) => goldenRequest(golden, dirs[i]!)))

// Seven significant digits: float32's precision, a fixture a third the size of full doubles.
const round = (x: number) => Number(x.toPrecision(7))
const rounded = ({ logits, hidden, pooled, loss, generated }: CaseOutputs): CaseOutputs => ({
  ...(logits && { logits: logits.map((row) => row.map((values) => values.map(round))) }),
  ...(hidden && { hidden: hidden.map((row) => row.map((values) => values.map(round))) }),
  ...(pooled && { pooled: pooled.map((values) => values.map(round)) }),
  ...(loss !== undefined && { loss }),
  ...(generated && { generated }),
})

let next = 0
for (const { architecture, cases: setCases } of goldenSets) {
  const fixture: GoldenFixture = {
    transformers: answer.transformers,
    torch: answer.torch,
    cases: setCases.map((golden) => ({ name: golden.name, ...rounded(keptOutputs(golden, answer.cases[next++]!)) })),
  }
  const out = join(import.meta.dirname, "..", "..", "packages", "models", "test", "goldens", `${architecture}-transformers.json`)
  writeFileSync(out, JSON.stringify(fixture) + "\n")
  console.log(`goldens: wrote ${out}`)
}
console.log(`goldens: transformers ${answer.transformers}, torch ${answer.torch}`)
