// The runner works with every language-model architecture, through the real CLI: an
// encoder-decoder shaped like FLAN-T5 (random weights, the real FLAN-T5 tokenizer, answers by
// generation), the real tiny-gpt2 checkpoint (answers by label scoring) and a Falcon-RW-shaped
// decoder (ALiBi, fused query_key_value), each with the frozen base, prompt tuning, prefix
// tuning and LoRA.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, quickstartVariant, repoRoot, tinyFlanT5, tinyRun } from "./cli.ts"

const shared = process.env.PEFTLAB_DATA && process.env.PEFTLAB_MODELS
if (!shared) console.warn("skipping end-to-end architecture runs: PEFTLAB_DATA or PEFTLAB_MODELS unset")
const models = process.env.PEFTLAB_MODELS ?? ""

const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8")

const arms = (targets: string[]) => [
  { name: "base", kind: "base" },
  { name: "prompt", kind: "prompt", num_virtual_tokens: 4, init: "random" },
  { name: "prefix", kind: "prefix", num_virtual_tokens: 4 },
  { name: "lora", kind: "lora", r: 4, lora_alpha: 8, lora_dropout: 0.05, target_modules: targets },
]

describe.skipIf(!shared)("peftlab run on other architectures", () => {
  it("FLAN-T5-shaped encoder-decoder: trains every arm, answers by generation, writes PEFT files for SEQ_2_SEQ_LM", () => {
    const { file, dir } = quickstartVariant((spec) => {
      tinyRun(spec)
      spec.training.epochs = 1
      spec.arms = arms(["q", "v"])
      spec.evaluation = { ...spec.evaluation, mode: "generate", max_new_tokens: 2 }
    })
    const spec = readFileSync(file, "utf8").replace(/path: .*stories260k.*/, `path: ${tinyFlanT5(dir)}`)
    writeFileSync(file, spec)
    const out = join(dir, "results")
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const manifest = JSON.parse(read(out, "manifest.json"))
    expect(manifest.model.architecture).toBe("t5")
    for (const arm of ["prompt", "prefix", "lora"]) {
      expect(JSON.parse(read(out, `adapters/${arm}/adapter_config.json`)).task_type).toBe("SEQ_2_SEQ_LM")
      expect(existsSync(join(out, `adapters/${arm}/adapter_model.safetensors`))).toBe(true)
    }
    const preds = read(out, "preds_base_test.csv").trim().split("\n").slice(1)
    expect(preds).toHaveLength(12)
    // Generated answers: a label or "(unparsed)", and no label-score confidence.
    for (const row of preds) expect(row).toMatch(/,(yes|no|\(unparsed\)),NaN$/)
  })

  it("tiny-gpt2 (a real GPT-2 checkpoint): trains every arm with label scoring", () => {
    const { file, dir } = quickstartVariant((spec) => {
      tinyRun(spec)
      spec.training.epochs = 1
      spec.model.path = join(models, "tiny-gpt2")
      spec.arms = arms(["c_attn"])
    })
    const out = join(dir, "results")
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(JSON.parse(read(out, "manifest.json")).model.architecture).toBe("gpt2")
    const lora = JSON.parse(read(out, "adapters/lora/adapter_config.json"))
    expect(lora).toMatchObject({ task_type: "CAUSAL_LM", target_modules: ["c_attn"], fan_in_fan_out: true })
    expect(read(out, "results.csv").trim().split("\n")).toHaveLength(5)
  })

  it("Falcon-RW-shaped decoder (random, the quickstart's tokenizer): trains every arm, LoRA on query_key_value", () => {
    const { file, dir } = quickstartVariant((spec) => {
      tinyRun(spec)
      spec.training.epochs = 1
      spec.arms = arms(["query_key_value"])
    })
    const config = { model_type: "falcon", vocab_size: 512, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, alibi: true, multi_query: false, parallel_attn: false, new_decoder_architecture: false, bias: true, max_position_embeddings: 512, bos_token_id: 1, eos_token_id: 2 }
    writeFileSync(join(dir, "falcon.json"), JSON.stringify(config))
    const model = join(dir, "tiny-falcon")
    const tokenizer = join(repoRoot, "packages", "quickstart-assets", "models", "stories260k")
    const made = spawnSync(process.execPath, [join(repoRoot, "tools", "checkpoints", "make-checkpoint.ts"), "--config", join(dir, "falcon.json"), "--out", model, "--dtype", "bf16", "--tokenizer-from", tokenizer], { encoding: "utf8" })
    expect(made.status).toBe(0)
    writeFileSync(file, readFileSync(file, "utf8").replace(/path: .*stories260k.*/, `path: ${model}`))
    const out = join(dir, "results")
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(JSON.parse(read(out, "manifest.json")).model.architecture).toBe("falcon")
    expect(JSON.parse(read(out, "adapters/lora/adapter_config.json"))).toMatchObject({ task_type: "CAUSAL_LM", target_modules: ["query_key_value"] })
    expect(read(out, "results.csv").trim().split("\n").map((row) => row.split(",")[0])).toEqual(["arm", "base", "prompt", "prefix", "lora"])
  })
})
