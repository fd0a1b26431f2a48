// Writes the adapter goldens against PEFT (see @peftlab/testkit/peft-goldens) for the LoRA,
// prompt-tuning and prefix-tuning packages: PEFT makes and saves each PEFT-made case's adapter
// into packages/adapters-<kind>/test/goldens/<case>/, peftlab makes each peftlab-made case's
// adapter from its seed and writes it for PEFT to load, and PEFT's logits of all of them go to
// packages/adapters-<kind>/test/goldens/peft-logits.json; transformers' logits of the bare quantized
// bases (bitsandbytes' 8-bit, eval and train mode, the eval one with each 8-bit layer's input and
// output) go to packages/adapters-lora/test/goldens/quantized-bases.json.
//   node tools/goldens/adapters.ts      (needs .venv-goldens, which .ci/run makes)
//   node tools/goldens/adapters.ts --only 'dora|olora'   (only the cases whose names the regex finds; the
//     others keep their committed fixtures, e.g. the NF4 ones where bitsandbytes has no CPU path for them)
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { savePeftAdapter } from "@peftlab/adapters-base"
import { loadModel, quantizeModelLinearsAs } from "@peftlab/models"
import {
  goldenBaseName,
  goldenQuantization,
  goldensDir,
  goldensFile,
  keepLast,
  quantizedBaseGoldens,
  quantizedBasesFile,
  writeGoldenBase,
  type AdapterGoldens,
  type PeftlabMadeCase,
  type PeftMadeCase,
  type QuantizedBaseFixture,
  type RecordedLayer,
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


/** How peft_goldens.py quantizes the case's base (nf4 or int8: bitsandbytes' 4-bit or 8-bit, or neither) and in which mode it runs it. */
const quantizedFields = (golden: { readonly nf4?: boolean; readonly int8?: boolean; readonly train?: boolean }) => ({
  nf4: golden.nf4 ?? false,
  int8: golden.int8 ?? false,
  train: golden.train ?? false,
})

/** Each PEFT-made adapter's folder as PEFT saves it, and the fixture folder it replaces once every case has run. */
const madeFolders: Array<{ readonly saved: string; readonly fixture: string }> = []

const peftMadeRequest = async (packageDir: string, golden: PeftMadeCase) => {
  const dir = await writeGoldenBase(golden.base)
  const out = mkdtempSync(join(tmpdir(), "peftlab-golden-peft-"))
  madeFolders.push({ saved: out, fixture: join(goldensDir(packageDir), golden.name) })
  const make = { method: golden.method, config: golden.config, seed: golden.seed, out, base_name: goldenBaseName(golden.base), ...(golden.perturb !== undefined && { perturb: golden.perturb }) }
  return { ...batchFields(dir, golden.base.architecture === "t5", golden.batch), ...quantizedFields(golden), make }
}

const peftlabMadeRequest = async (golden: PeftlabMadeCase) => {
  const dir = await writeGoldenBase(golden.base)
  const model = await Effect.runPromise(loadModel(dir))
  // Made over the base as the test makes it (NF4 or int8 where the case is): DoRA's magnitude starts as the base's row norms.
  const kind = goldenQuantization(golden)
  const quantized = kind ? await quantizeModelLinearsAs(model, kind) : undefined
  const adapter = golden.create(model)
  const out = mkdtempSync(join(tmpdir(), "peftlab-golden-adapter-"))
  await Effect.runPromise(savePeftAdapter(out, adapter))
  adapter.dispose()
  quantized?.restore()
  model.dispose()
  return { ...batchFields(dir, model.kind === "seq2seq", golden.batch), ...quantizedFields(golden), load: out }
}

const requests = await Promise.all(
  packages.map(async ({ dir, cases }) => ({
    dir,
    names: [...cases.peftMade, ...cases.peftlabMade].map((c) => c.name),
    cases: [...(await Promise.all(chosen(cases.peftMade).map((c) => peftMadeRequest(dir, c)))), ...(await Promise.all(chosen(cases.peftlabMade).map(peftlabMadeRequest)))],
  })),
)

// The bare quantized bases (no adapter, no "make" or "load"): transformers' bitsandbytes model against quantizeModelLinearsAs.
const baseRequests = await Promise.all(
  quantizedBaseGoldens.map(async (golden) => ({ ...batchFields(await writeGoldenBase(golden.base), false, golden.batch), ...quantizedFields(golden), record_layers: golden.recordLayers ?? false })),
)

const answer = await runPeftScript("peft_goldens.py", [...requests.flatMap((r) => r.cases), ...baseRequests])

for (const { saved, fixture } of madeFolders) {
  rmSync(fixture, { recursive: true, force: true })
  cpSync(saved, fixture, { recursive: true })
}
for (const request of requests.flatMap((r) => r.cases)) {
  rmSync(request.model, { recursive: true })
  rmSync("load" in request ? request.load : request.make.out, { recursive: true })
}
for (const request of baseRequests) rmSync(request.model, { recursive: true })

const round = (x: number) => Number(x.toPrecision(7))
const roundedLogits = (logits: number[][][]) => keepLast(logits).map((row) => row.map((values) => values.map(round)))
const versionsOf = ({ peft, transformers, torch, bitsandbytes }: typeof answer) => ({ peft, transformers, torch, bitsandbytes })
let next = 0
for (const { dir, names } of requests) {
  // With --only, a case not chosen keeps its committed logits.
  const kept = only && existsSync(goldensFile(dir)) ? (JSON.parse(readFileSync(goldensFile(dir), "utf8")) as AdapterGoldens).cases : []
  const logitsOf = (name: string) => (only && !only.test(name) ? kept.find((c) => c.name === name)?.logits ?? [] : roundedLogits(answer.cases[next++]!.logits))
  const goldens: AdapterGoldens = { ...versionsOf(answer), cases: names.map((name) => ({ name, logits: logitsOf(name) })) }
  writeFileSync(goldensFile(dir), JSON.stringify(goldens) + "\n")
  console.log(`goldens: wrote ${goldensFile(dir)} (peft ${answer.peft}, transformers ${answer.transformers}, torch ${answer.torch})`)
}

// A recorded layer's input exactly (9 digits hold a float32), so peftlab's layer quantizes the same activations; its output as the logits.
const roundedLayers = (layers: ReadonlyArray<RecordedLayer>) =>
  layers.map(({ module, x, y }) => ({ module, x: x.map((row) => row.map((v) => Number(v.toPrecision(9)))), y: y.map((row) => row.map(round)) }))
const baseCase = (name: string, { logits, layers }: (typeof answer.cases)[number]) => ({ name, logits: roundedLogits(logits), ...(layers && { layers: roundedLayers(layers) }) })
const loraDir = packages[0]!.dir
const bases: QuantizedBaseFixture = { ...versionsOf(answer), cases: quantizedBaseGoldens.map((golden) => baseCase(golden.name, answer.cases[next++]!)) }
writeFileSync(quantizedBasesFile(loraDir), JSON.stringify(bases) + "\n")
console.log(`goldens: wrote ${quantizedBasesFile(loraDir)} (bitsandbytes ${answer.bitsandbytes})`)
