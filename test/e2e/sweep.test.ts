// A grid sweep over LoRA's rank with two seeds, through the real CLI: every configuration
// trains, validation picks one, and only that one is evaluated on test and compared.
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, quickstartVariant } from "./cli.ts"

const shared = process.env.PEFTLAB_DATA && process.env.PEFTLAB_MODELS
if (!shared) console.warn("skipping the end-to-end sweep: PEFTLAB_DATA or PEFTLAB_MODELS unset")

const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8")

describe.skipIf(!shared)("peftlab run with a sweep and seeds", () => {
  const { file, dir } = quickstartVariant((spec) => {
    spec.data.limit = { train: 8, val: 6, test: 6 }
    spec.training.epochs = 1
    spec.seeds = [1, 2]
    spec.stats.bootstrap.B = 100
    spec.arms = [
      { name: "base", kind: "base" },
      { name: "lora", kind: "lora", r: 2, lora_alpha: 4, target_modules: ["q_proj", "v_proj"], sweep: { r: [2, 4], "training.lr": [0.01, 0.05] } },
    ]
  })
  const out = join(dir, "results")

  it("trains every configuration and seed, selects one by validation, and evaluates only it on test", () => {
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const configs = ["lora-r2-lr0.01", "lora-r2-lr0.05", "lora-r4-lr0.01", "lora-r4-lr0.05"]
    for (const config of configs) for (const seed of [1, 2]) expect(existsSync(join(out, `adapters/${config}-seed${seed}/adapter_model.safetensors`))).toBe(true)

    const [selection] = JSON.parse(read(out, "selection.json"))
    expect(selection.group).toBe("lora")
    expect(selection.configs.map((c: { config: string }) => c.config)).toEqual(configs)
    const best = Math.max(...selection.configs.map((c: { mean: number }) => c.mean))
    const chosen = selection.configs.find((c: { config: string }) => c.config === selection.chosen)
    expect(chosen.mean).toBe(best)
    expect(chosen.values).toHaveLength(2)
    expect(run.stdout).toContain(`lora: selected ${selection.chosen} of 4 configurations`)

    // Test predictions exist for the base and the chosen configuration's two seeds only.
    const evaluated = read(out, "results.csv").trim().split("\n").slice(1).map((row) => row.split(",")[0])
    expect(evaluated).toEqual(["base", `${selection.chosen}-seed1`, `${selection.chosen}-seed2`])
    for (const config of configs.filter((c) => c !== selection.chosen)) expect(existsSync(join(out, `preds_${config}-seed1_test.csv`))).toBe(false)
    expect(read(out, "results.md")).toContain(`| ${selection.chosen} | 2 |`)
    expect(JSON.parse(read(out, "stats.json")).map((c: { arm: string }) => c.arm)).toEqual([`${selection.chosen}-seed1`, `${selection.chosen}-seed2`])
  })

  it("resumes a finished sweep without training or evaluating anything again", () => {
    const again = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(again.code).toBe(0)
    expect(again.stdout).not.toMatch(/epoch 1 done/)
    expect(again.stdout).toMatch(/selected/)
  })
})
