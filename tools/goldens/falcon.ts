// Writes packages/models/test/goldens/falcon-transformers.json: transformers' logits for each
// Falcon golden case (falcon-cases.ts) on the tiny checkpoint peftlab writes from its seed.
//   node tools/goldens/falcon.ts      (needs .venv-goldens, which .ci/run makes)
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { writeRandomCheckpoint } from "@peftlab/models"
import { falconCases, keptPositions, type FalconGoldens } from "../../packages/models/test/goldens/falcon-cases.ts"
import { goldensPython, transformersLogits } from "@peftlab/references"

const python = goldensPython()
if (python === undefined) {
  console.error("goldens: no .venv-goldens at the repository root (.ci/run makes it from packages/references/python/requirements.txt)")
  process.exit(2)
}
const dirs = await Promise.all(
  falconCases.map(async (golden) => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-falcon-golden-"))
    await Effect.runPromise(writeRandomCheckpoint(dir, golden.config, golden.seed))
    return dir
  }),
)
const answer = await transformersLogits(python, falconCases.map((golden, i) => ({ dir: dirs[i]!, ids: golden.ids, mask: golden.mask })))
const round = (x: number) => Number(x.toPrecision(7))
const goldens: FalconGoldens = {
  transformers: answer.transformers,
  torch: answer.torch,
  cases: falconCases.map((golden, i) => ({ name: golden.name, logits: keptPositions(answer.cases[i]!.logits, golden.keep).map((row) => row.map((values) => values.map(round))) })),
}
const out = join(import.meta.dirname, "..", "..", "packages", "models", "test", "goldens", "falcon-transformers.json")
writeFileSync(out, JSON.stringify(goldens) + "\n")
console.log(`goldens: wrote ${out} (transformers ${answer.transformers}, torch ${answer.torch})`)
