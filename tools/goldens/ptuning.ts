// Writes the P-tuning goldens against PEFT (see @peftlab/testkit/peft-goldens) into
// packages/adapters-ptuning/test/goldens/: PEFT makes and saves each PEFT-made case's adapter
// (<case>/) with its prompt encoder's parameters (encoders/<case>.safetensors), peftlab makes each
// peftlab-made case's adapter from its seed and writes it for PEFT to load, and PEFT's logits of
// all of them go to peft-logits.json. The same requests as tools/goldens/adapters.ts, answered by
// packages/references/python/ptuning_goldens.py (peft_goldens.py with PEFT's PromptEncoderConfig).
//   node tools/goldens/ptuning.ts      (needs .venv-goldens, which .ci/run makes)
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { savePeftAdapter } from "@peftlab/adapters-base"
import { loadModel } from "@peftlab/models"
import { batchFields, runPeftScript } from "./peft-script.ts"
import { goldenBaseName, goldensDir, goldensFile, keepLast, writeGoldenBase, type AdapterGoldens } from "@peftlab/testkit/peft-goldens"
import { encoderFile, peftlabMade, peftMade } from "../../packages/adapters-ptuning/test/goldens/cases.ts"

const root = join(import.meta.dirname, "..", "..")
const packageDir = join(root, "packages", "adapters-ptuning")
const scratch = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))

const made = await Promise.all(
  peftMade.map(async (golden) => {
    const out = scratch("peftlab-golden-peft-")
    const make = { method: golden.method, config: golden.config, seed: golden.seed, out, base_name: goldenBaseName(golden.base), encoder_out: encoderFile(golden.name) }
    return { ...batchFields(await writeGoldenBase(golden.base), golden.base.architecture === "t5", golden.batch), make }
  }),
)
const written = await Promise.all(
  peftlabMade.map(async (golden) => {
    const dir = await writeGoldenBase(golden.base)
    const model = await Effect.runPromise(loadModel(dir))
    const adapter = golden.create(model)
    const out = scratch("peftlab-golden-adapter-")
    await Effect.runPromise(savePeftAdapter(out, adapter))
    adapter.dispose()
    model.dispose()
    return { ...batchFields(dir, model.kind === "seq2seq", golden.batch), load: out }
  }),
)
const requests = [...made, ...written]

const answer = await runPeftScript("ptuning_goldens.py", requests)

peftMade.forEach((golden, i) => {
  const fixture = join(goldensDir(packageDir), golden.name)
  rmSync(fixture, { recursive: true, force: true })
  cpSync(made[i]!.make.out, fixture, { recursive: true })
})
for (const request of requests) rmSync(request.model, { recursive: true })
for (const request of made) rmSync(request.make.out, { recursive: true })
for (const request of written) rmSync(request.load, { recursive: true })

const round = (x: number) => Number(x.toPrecision(7))
const names = [...peftMade, ...peftlabMade].map((c) => c.name)
const goldens: AdapterGoldens = {
  peft: answer.peft,
  transformers: answer.transformers,
  torch: answer.torch,
  bitsandbytes: answer.bitsandbytes,
  cases: names.map((name, i) => ({ name, logits: keepLast(answer.cases[i]!.logits).map((row) => row.map((values) => values.map(round))) })),
}
writeFileSync(goldensFile(packageDir), JSON.stringify(goldens) + "\n")
console.log(`goldens: wrote ${goldensFile(packageDir)} (peft ${answer.peft}, transformers ${answer.transformers}, torch ${answer.torch})`)
