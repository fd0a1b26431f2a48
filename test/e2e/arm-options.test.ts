// An arm option the loaded model cannot honour is a spec error (exit 2) naming the arm's field,
// found after the model loads and before the first arm runs: no arm leaves a result behind.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, quickstartVariant, tinyRun } from "./cli.ts"

describe("arm options checked before any arm runs", () => {
  it("refuses a LoRA arm whose target_modules match no module of the model, with exit 2, before the base arm runs", () => {
    const { file, dir } = quickstartVariant((spec) => {
      tinyRun(spec)
      spec.arms = [
        { name: "base", kind: "base" },
        { name: "lora", kind: "lora", r: 4, lora_alpha: 8, target_modules: ["q", "v"] },
      ]
    })
    const out = join(dir, "results")
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.stderr).toMatch(
      /arms\[1\]\.target_modules: \[q, v\] matches no linear module of this llama model \(its modules: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head\), so arm lora would train nothing \(line \d+:\d+\)/,
    )
    expect(run.stderr).toContain(file)
    expect(run.stderr).not.toMatch(/RangeError|\n\s+at /)
    expect(run.code).toBe(2)
    expect(existsSync(join(out, "arms", "base", "result.json"))).toBe(false)
    expect(existsSync(join(out, "arms"))).toBe(false)
  })
})
