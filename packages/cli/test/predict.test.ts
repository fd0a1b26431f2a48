// `peftlab predict`'s flags and files, each bad one an exit-2 error naming it before any model
// is loaded; and how `run --dry-run` describes arms that reuse an adapter. (Predictions
// themselves are checked end to end in test/e2e/adapter-reuse.test.ts.)
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { main } from "../src/main.ts"
import { captureIo } from "./io.ts"

const repoRoot = join(import.meta.dirname, "..", "..", "..")
const model = join(repoRoot, "packages", "quickstart-assets", "models", "stories260k")
const data = join(repoRoot, "packages", "quickstart-assets", "data", "pubmedqa", "ori_pqal.json")

/** A folder holding only an adapter_config.json, outside any results folder. */
const looseAdapter = (): string => {
  const dir = join(mkdtempSync(join(tmpdir(), "peftlab-predict-")), "adapter")
  mkdirSync(dir)
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ peft_type: "LORA", r: 2, lora_alpha: 4, target_modules: ["q_proj"] }))
  return dir
}

const firstError = async (argv: ReadonlyArray<string>) => {
  const { io, err } = captureIo()
  expect(await main(argv, io)).toBe(2)
  return err[0]!.split("\n")[0]
}

describe("peftlab predict", () => {
  it("names the flags it needs, and refuses positionals and run's flags", async () => {
    expect(await firstError(["predict", "--model", model])).toBe("error: predict needs --adapter, --data")
    expect(await firstError(["predict", "spec.yaml", "--model", model, "--adapter", "a", "--data", data])).toBe(
      "error: predict takes no positional arguments (name the files with --model, --adapter and --data)",
    )
    expect(await firstError(["predict", "--model", model, "--adapter", "a", "--data", data, "--dry-run"])).toBe("error: --dry-run belongs to run, not predict")
    expect(await firstError(["run", "spec.yaml", "--adapter", "a"])).toBe("error: --adapter belongs to predict and merge, not run")
    expect(await firstError(["predict", "--model", model, "--adapter", "a", "--data", data, "--backend", "cuda"])).toMatch(/^error: --backend: expected one of /)
  })

  it("names --adapter when it is nowhere, with the places looked", async () => {
    const error = await firstError(["predict", "--model", model, "--adapter", "/nowhere/adapter", "--data", data])
    expect(error).toBe(
      'error: --adapter: no adapter folder for "/nowhere/adapter" (looked in /nowhere/adapter); expected a folder with adapter_config.json, or a Hugging Face id found under $PEFTLAB_MODELS or in the Hugging Face cache',
    )
  })

  it("says the task is missing for an adapter outside a results folder and no --spec", async () => {
    const adapter = looseAdapter()
    expect(await firstError(["predict", "--model", model, "--adapter", adapter, "--data", data])).toBe(
      `error: --adapter: ${adapter} is not inside a peftlab results folder (no manifest.json in it or any folder above it), so the task is unknown: give --spec SPEC for the template, labels or generation settings, data kind and max_length`,
    )
  })

  it("names --data and --model when they are not there", async () => {
    const spec = join(repoRoot, "specs", "quickstart.yaml")
    const adapter = looseAdapter()
    expect(await firstError(["predict", "--model", model, "--adapter", adapter, "--data", "/nowhere/data.json", "--spec", spec])).toBe("error: --data: no data file or folder at /nowhere/data.json")
    expect(await firstError(["predict", "--model", "/nowhere/model", "--adapter", adapter, "--data", data, "--spec", spec])).toBe("error: --model: /nowhere/model: no folder at /nowhere/model")
  })
})

/** A spec beside `adapter` with the frozen base and `arms` (YAML flow mappings), written next to it. */
const specBeside = (adapter: string, arms: ReadonlyArray<string>): string => {
  const file = join(adapter, "..", "spec.yaml")
  writeFileSync(
    file,
    `name: reuse
seed: 1
data: { kind: pubmedqa, path: ${data}, split: { train: 0.8, val: 0.1, test: 0.1, stratify: true } }
model: { path: ${model} }
task: { template: "Q: {question} C: {context} A:", labels: { "yes": " yes", "no": " no" } }
arms:
  - { name: base, kind: base }
${arms.map((arm) => `  - ${arm}\n`).join("")}training: { epochs: 1, lr: 0.01, batch_size: 2, max_length: 64 }
evaluation: { mode: label-score, metrics: [accuracy] }
stats: { baseline: base, mcnemar: false, bootstrap: { B: 10, seed: 1 } }
output: { dir: ${join(adapter, "..", "results")} }
`,
  )
  return file
}

describe("peftlab run --dry-run with existing adapters", () => {
  it("describes an adapter arm and an arm that starts from an adapter", async () => {
    const adapter = looseAdapter()
    const file = specBeside(adapter, [`{ name: reused, kind: adapter, path: ${adapter} }`, `{ name: more, kind: lora, r: 2, lora_alpha: 4, target_modules: [q_proj], init_from: ${adapter} }`])
    const { io, out } = captureIo()
    expect(await main(["run", file, "--dry-run"], io)).toBe(0)
    expect(out).toContain(`arm reused: existing adapter ${adapter}, evaluated without training`)
    expect(out).toContain(`arm more: LoRA r=2 alpha=4 dropout=0 on q_proj, from ${adapter}`)
  })

  it("refuses, before anything runs, an init_from whose config disagrees with its arm", async () => {
    const adapter = looseAdapter()
    const file = specBeside(adapter, [`{ name: more, kind: lora, r: 8, lora_alpha: 4, target_modules: [q_proj], init_from: ${adapter} }`])
    const { io, err } = captureIo()
    expect(await main(["validate", file], io)).toBe(2)
    expect(err.join("\n")).toContain(`arms[1].r: 8 does not match init_from's adapter_config.json r: 2 (${join(adapter, "adapter_config.json")})`)
  })
})
