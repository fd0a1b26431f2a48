// specs/peft-methods.yaml, the comparison a PEFT study makes (LoRA, rsLoRA, DoRA, IA3 from the
// example method plugin, P-tuning, prompt and prefix tuning against the frozen base), run through
// the real `peftlab` command on a small slice: every arm's result, its adapter in PEFT's format
// with the method's fields, and the seven comparisons with McNemar, the bootstrap and
// approximate randomization, each Holm-adjusted across the arms.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { parse, stringify } from "yaml"
import { describe, expect, it } from "vitest"
import { peftlab, repoRoot } from "./cli.ts"

/** specs/peft-methods.yaml with its paths made absolute and a slice small enough for CI. */
const smallComparison = (): { file: string; out: string } => {
  const specFile = join(repoRoot, "specs", "peft-methods.yaml")
  const spec = parse(readFileSync(specFile, "utf8")) as Record<string, any>
  spec.data.path = resolve(repoRoot, spec.data.path)
  spec.model.path = resolve(repoRoot, spec.model.path)
  spec.plugins = spec.plugins.map((plugin: string) => resolve(dirname(specFile), plugin))
  spec.data.limit = { train: 16, val: 12, test: 24 }
  spec.training.epochs = 1
  spec.stats.bootstrap.B = 200
  spec.stats.randomization.R = 199
  const dir = mkdtempSync(join(tmpdir(), "peftlab-methods-"))
  const file = join(dir, "spec.yaml")
  writeFileSync(file, stringify(spec))
  return { file, out: join(dir, "results") }
}

const read = (...path: Array<string>) => readFileSync(join(...path), "utf8")

describe("specs/peft-methods.yaml", () => {
  it("compares seven PEFT methods with the frozen base, each saved as PEFT saves it", () => {
    const { file, out } = smallComparison()
    const run = peftlab(["run", file, "--out", out, "--allow-plugins", "--no-tui"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)

    const arms = ["base", "lora", "rslora", "dora", "ia3", "p-tuning", "prompt", "prefix"]
    const [header, ...rows] = read(out, "results.csv").trim().split("\n")
    const column = header!.split(",").indexOf("trainable_params")
    const trainable = new Map(rows.map((row) => [row.split(",")[0]!, Number(row.split(",")[column])]))
    expect([...trainable.keys()]).toEqual(arms)
    // stories260k: 5 layers, hidden 64, 8 query heads and 4 key/value heads of 8: q 64x64, k and v 64x32.
    const lora = 5 * (8 * (64 + 64) + 8 * (64 + 32) * 2)
    expect(trainable.get("lora")).toBe(lora)
    expect(trainable.get("rslora")).toBe(lora)
    // DoRA adds a magnitude per output row of each adapted projection.
    expect(trainable.get("dora")).toBe(lora + 5 * (64 + 32 + 32))
    expect(trainable.get("prompt")).toBe(8 * 64)

    const config = (arm: string) => JSON.parse(read(out, "adapters", arm, "adapter_config.json"))
    expect(config("lora")).toMatchObject({ peft_type: "LORA", use_rslora: false, use_dora: false })
    expect(config("rslora")).toMatchObject({ peft_type: "LORA", use_rslora: true })
    expect(config("dora")).toMatchObject({ peft_type: "LORA", use_dora: true })
    expect(config("ia3")).toMatchObject({ peft_type: "IA3", feedforward_modules: ["down_proj"] })
    expect(config("p-tuning")).toMatchObject({ peft_type: "P_TUNING", num_virtual_tokens: 8 })
    expect(config("prompt")).toMatchObject({ peft_type: "PROMPT_TUNING" })
    expect(config("prefix")).toMatchObject({ peft_type: "PREFIX_TUNING" })

    const stats = JSON.parse(read(out, "stats.json"))
    expect(stats.map((c: { arm: string }) => c.arm)).toEqual(arms.slice(1))
    for (const comparison of stats) {
      expect(comparison.mcnemar.pHolm).toBeGreaterThanOrEqual(comparison.mcnemar.pValue)
      for (const metric of ["accuracy", "macro_f1"]) {
        expect(comparison.bootstrap[metric].pHolm).toBeGreaterThanOrEqual(comparison.bootstrap[metric].pValue)
        expect(comparison.randomization[metric]).toMatchObject({ R: 199, observed: comparison.bootstrap[metric].observed })
        expect(comparison.randomization[metric].pHolm).toBeGreaterThanOrEqual(comparison.randomization[metric].pValue)
      }
    }
    expect(read(out, "stats.md")).toContain("Approximate randomization, R = 199")
  }, 600_000)
})
