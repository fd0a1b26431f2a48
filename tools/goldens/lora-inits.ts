// Writes the PiSSA and LoftQ init goldens against PEFT into packages/adapters-lora/test/goldens/:
// lora-inits.safetensors (PEFT's residual and scale B A per module after pissa_init, its frozen
// NF4-dequantized weight and scale B A after loftq_init for each loftq_iter, torch.linalg.svd's
// singular values) and lora-inits.json (the request and the stack's versions), from
// packages/references/python/lora_init_goldens.py on the goldens' tiny Llama.
//   node tools/goldens/lora-inits.ts      (needs .venv-goldens, which .ci/run makes)
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { goldenBases, goldensDir, writeGoldenBase } from "@peftlab/testkit/peft-goldens"
import { loraInitGoldens } from "../../packages/adapters-lora/test/goldens/lora-inits.ts"
import { repoRoot, runPeftScript } from "./peft-script.ts"

const dir = goldensDir(join(repoRoot, "packages", "adapters-lora"))
const model = await writeGoldenBase(goldenBases.llama)
const out = join(dir, loraInitGoldens.tensorsFile)
const { cases: _, ...versions } = await runPeftScript("lora_init_goldens.py", [{ model, out, ...loraInitGoldens.request }])
rmSync(model, { recursive: true })
writeFileSync(join(dir, loraInitGoldens.versionsFile), JSON.stringify({ ...versions, request: loraInitGoldens.request }, null, 2) + "\n")
console.log(`goldens: wrote ${out} (peft ${versions.peft}, torch ${versions.torch}, bitsandbytes ${versions.bitsandbytes})`)
