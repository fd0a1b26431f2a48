// Writes the merge goldens against PEFT into packages/adapters-lora/test/goldens/: for each case of
// merge-peft.ts, the adapter PEFT made (merge/<case>/), PEFT's merged weights of the targeted modules
// onto the float32 and the bf16 base (merge-peft.safetensors) and the layout its save_pretrained wrote
// (merge-peft.json), from packages/references/python/merge_goldens.py on sharded tiny bases.
//   node tools/goldens/merge.ts      (needs .venv-goldens, which .ci/run makes)
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as fixture from "../../packages/adapters-lora/test/goldens/merge-peft.ts"
import { runPeftScript } from "./peft-script.ts"

const scratch = mkdtempSync(join(tmpdir(), "peftlab-golden-merge-"))
await fixture.writeMergeGoldenBases(scratch)

const perDtype = (dir: (dtype: fixture.MergeGoldenDtype) => string) => Object.fromEntries(fixture.mergeGoldenDtypes.map((dtype) => [dtype, dir(dtype)]))
const tensors = join(scratch, fixture.mergeGoldens.tensorsFile)
const requests = fixture.mergeGoldens.cases.map((golden) => ({
  name: golden.name,
  tensors,
  make: {
    models: perDtype((dtype) => fixture.mergeGoldenBaseDir(scratch, golden.architecture, dtype)),
    config: { task_type: "CAUSAL_LM", ...golden.config },
    seed: fixture.mergeGoldens.adapterSeed,
    perturb: fixture.mergeGoldens.perturb,
    base_name: fixture.mergeGoldenBaseName(golden.architecture),
    adapter: join(scratch, golden.name, "adapter"),
    merged: perDtype((dtype) => join(scratch, golden.name, `merged-${dtype}`)),
  },
}))
type MadeAnswer = Omit<fixture.MergeGoldenLayouts, "cases"> & { cases: Array<{ layouts: Record<fixture.MergeGoldenDtype, fixture.MergedLayout>; merged: Array<string> }> }
const { cases, ...versions } = (await runPeftScript("merge_goldens.py", requests)) as unknown as MadeAnswer

for (const [i, golden] of fixture.mergeGoldens.cases.entries()) {
  rmSync(fixture.mergeGoldenAdapterDir(golden), { recursive: true, force: true })
  cpSync(requests[i]!.make.adapter, fixture.mergeGoldenAdapterDir(golden), { recursive: true })
}
cpSync(tensors, fixture.mergeGoldenFile(fixture.mergeGoldens.tensorsFile))
const layouts = Object.fromEntries(fixture.mergeGoldens.cases.map((golden, i) => [golden.name, Object.fromEntries(fixture.mergeGoldenDtypes.map((dtype) => [dtype, { ...cases[i]!.layouts[dtype], merged: cases[i]!.merged }]))]))
writeFileSync(fixture.mergeGoldenFile(fixture.mergeGoldens.layoutsFile), JSON.stringify({ ...versions, cases: layouts }) + "\n")
rmSync(scratch, { recursive: true })
console.log(`goldens: wrote ${fixture.mergeGoldensDir}/, ${fixture.mergeGoldens.tensorsFile} and ${fixture.mergeGoldens.layoutsFile} (peft ${versions.peft}, transformers ${versions.transformers}, torch ${versions.torch})`)
