// Writes the adapter goldens against PEFT (see @peftlab/testkit/peft-goldens) for the LoRA,
// prompt-tuning and prefix-tuning packages: PEFT makes and saves each PEFT-made case's adapter
// into packages/adapters-<kind>/test/goldens/<case>/, peftlab makes each peftlab-made case's
// adapter from its seed and writes it for PEFT to load, and PEFT's logits of all of them go to
// packages/adapters-<kind>/test/goldens/peft-logits.json.
//   node tools/goldens/adapters.ts      (needs .venv-goldens, which .ci/run makes)
//   node tools/goldens/adapters.ts --only 'dora|olora'   (only the cases whose names the regex finds; the
//     others keep their committed fixtures, e.g. the NF4 ones where bitsandbytes has no CPU path for them)
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { savePeftAdapter } from "@peftlab/adapters-base"
import { loadModel, quantizeModelLinears } from "@peftlab/models"
import {
  goldenBaseName,
  goldensDir,
  goldensFile,
  keepLast,
  writeGoldenBase,
  type AdapterGoldens,
  type PeftlabMadeCase,
  type PeftMadeCase,
} from "@peftlab/testkit/peft-goldens"
import { batchFields, runPeftScript } from "./peft-script.ts"
import * as lora from "../../packages/adapters-lora/test/goldens/cases.ts"
import * as prefix from "../../packages/adapters-prefix/test/goldens/cases.ts"
import * as prompt from "../../packages/adapters-prompt/test/goldens/cases.ts"

const root = join(import.meta.dirname, "..", "..")
const packages = [
  { dir: join(root, "packages", "adapters-lora"), cases: lora },
  { dir: join(root, "packages", "adapters-prompt"), cases: prompt },
  { dir: join(root, "packages", "adapters-prefix"), cases: prefix },
]

const onlyAt = process.argv.indexOf("--only")
const only = onlyAt < 0 ? undefined : new RegExp(process.argv[onlyAt + 1] ?? "")
const chosen = <C extends { readonly name: string }>(cases: ReadonlyArray<C>): ReadonlyArray<C> => (only ? cases.filter((c) => only.test(c.name)) : cases)


/** Each PEFT-made adapter's folder as PEFT saves it, and the fixture folder it replaces once every case has run. */
const madeFolders: Array<{ readonly saved: string; readonly fixture: string }> = []

const peftMadeRequest = async (packageDir: string, golden: PeftMadeCase) => {
  const dir = await writeGoldenBase(golden.base)
  const out = mkdtempSync(join(tmpdir(), "peftlab-golden-peft-"))
  madeFolders.push({ saved: out, fixture: join(goldensDir(packageDir), golden.name) })
  const make = { method: golden.method, config: golden.config, seed: golden.seed, out, base_name: goldenBaseName(golden.base), ...(golden.perturb !== undefined && { perturb: golden.perturb }) }
  return { ...batchFields(dir, golden.base.architecture === "t5", golden.batch), nf4: golden.nf4 ?? false, make }
}

const peftlabMadeRequest = async (golden: PeftlabMadeCase) => {
  const dir = await writeGoldenBase(golden.base)
  const model = await Effect.runPromise(loadModel(dir))
  // Made over the base as the test makes it (NF4 where the case is): DoRA's magnitude starts as the base's row norms.
  const quantized = golden.nf4 ? await quantizeModelLinears(model) : undefined
  const adapter = golden.create(model)
  const out = mkdtempSync(join(tmpdir(), "peftlab-golden-adapter-"))
  await Effect.runPromise(savePeftAdapter(out, adapter))
  adapter.dispose()
  quantized?.restore()
  model.dispose()
  return { ...batchFields(dir, model.kind === "seq2seq", golden.batch), nf4: golden.nf4 ?? false, load: out }
}

const requests = await Promise.all(
  packages.map(async ({ dir, cases }) => ({
    dir,
    names: [...cases.peftMade, ...cases.peftlabMade].map((c) => c.name),
    cases: [...(await Promise.all(chosen(cases.peftMade).map((c) => peftMadeRequest(dir, c)))), ...(await Promise.all(chosen(cases.peftlabMade).map(peftlabMadeRequest)))],
  })),
)

const answer = await runPeftScript("peft_goldens.py", requests.flatMap((r) => r.cases))

for (const { saved, fixture } of madeFolders) {
  rmSync(fixture, { recursive: true, force: true })
  cpSync(saved, fixture, { recursive: true })
}
for (const request of requests.flatMap((r) => r.cases)) {
  rmSync(request.model, { recursive: true })
  rmSync("load" in request ? request.load : request.make.out, { recursive: true })
}

const round = (x: number) => Number(x.toPrecision(7))
let next = 0
for (const { dir, names } of requests) {
  // With --only, a case not chosen keeps its committed logits.
  const kept = only && existsSync(goldensFile(dir)) ? (JSON.parse(readFileSync(goldensFile(dir), "utf8")) as AdapterGoldens).cases : []
  const logitsOf = (name: string) => (only && !only.test(name) ? kept.find((c) => c.name === name)?.logits ?? [] : keepLast(answer.cases[next++]!.logits).map((row) => row.map((values) => values.map(round))))
  const goldens: AdapterGoldens = {
    peft: answer.peft,
    transformers: answer.transformers,
    torch: answer.torch,
    bitsandbytes: answer.bitsandbytes,
    cases: names.map((name) => ({ name, logits: logitsOf(name) })),
  }
  writeFileSync(goldensFile(dir), JSON.stringify(goldens) + "\n")
  console.log(`goldens: wrote ${goldensFile(dir)} (peft ${answer.peft}, transformers ${answer.transformers}, torch ${answer.torch})`)
}
