// A checkpoint as large models ship: `npm run checkpoint` writes a Mistral-shaped random model (the
// quickstart's tokenizer and shape) in bf16, sharded with model.safetensors.index.json, and
// `peftlab run` loads it through the index, trains LoRA on it and records it as mistral.
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { describe, expect, it } from "vitest"
import { peftlab, quickstartVariant, repoRoot, tinyRun } from "./cli.ts"

describe("peftlab run on a sharded bf16 checkpoint", () => {
  it("loads it through the index, trains every arm and names its architecture", () => {
    const { file, dir } = quickstartVariant((spec) => {
      tinyRun(spec)
      spec.training.epochs = 1
      spec.arms = [
        { name: "base", kind: "base" },
        { name: "lora", kind: "lora", r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: ["q_proj", "v_proj"] },
      ]
    })
    const config = { ...JSON.parse(readFileSync(join(stories260kDir, "config.json"), "utf8")), model_type: "mistral", sliding_window: null }
    writeFileSync(join(dir, "mistral.json"), JSON.stringify(config))
    const model = join(dir, "mistral-bf16")
    const made = spawnSync(
      process.execPath,
      [join(repoRoot, "tools", "checkpoints", "make-checkpoint.ts"), "--config", join(dir, "mistral.json"), "--out", model, "--seed", "3", "--dtype", "bf16", "--max-shard-size", "200KB", "--tokenizer-from", stories260kDir],
      { encoding: "utf8" },
    )
    expect(made.status, made.stderr).toBe(0)
    const shards = readdirSync(model).filter((name) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(name))
    expect(shards.length).toBeGreaterThan(1)
    expect(readdirSync(model)).toContain("model.safetensors.index.json")
    expect(readdirSync(model)).not.toContain("model.safetensors")

    writeFileSync(file, readFileSync(file, "utf8").replace(/path: .*stories260k.*/, `path: ${model}`))
    const out = join(dir, "results")
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))
    expect(manifest.model.architecture).toBe("mistral")
    expect(manifest.model.parameters).toBe(260_032)
    expect(JSON.parse(readFileSync(join(out, "adapters", "lora", "adapter_config.json"), "utf8")).target_modules).toEqual(["q_proj", "v_proj"])
  })
})
