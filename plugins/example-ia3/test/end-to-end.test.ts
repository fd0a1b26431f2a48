// The plugin used from a spec, through the real `peftlab` command: a quickstart-like run on
// stories260k with a base arm and an ia3 arm, whose saved adapter PEFT loads
// (PeftModel.from_pretrained) and scores as peftlab does; and the arm's spec errors, exit 2.
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { goldensPython } from "@peftlab/references"
import { describe, expect, it } from "vitest"
import { peftlab, repoRoot } from "../../../test/e2e/cli.ts"

const entry = join(import.meta.dirname, "..", "src", "index.ts")
const pubmedqa = join(repoRoot, "packages", "quickstart-assets", "data", "pubmedqa", "ori_pqal.json")

const ia3Arm = "  - name: ia3\n    kind: ia3\n    target_modules: [k_proj, v_proj, down_proj]\n    feedforward_modules: [down_proj]\n"

/** A spec in a fresh folder, listing the plugin (when `plugin`) by its path relative to the spec. */
const writeSpec = (arm: string, plugin = true) => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-ia3-"))
  const file = join(dir, "spec.yaml")
  writeFileSync(
    file,
    `name: ia3-plugin
seed: 42
backend: wasm
plugins: [${plugin ? JSON.stringify(`./${relative(dir, entry)}`) : ""}]
data:
  kind: pubmedqa
  path: ${pubmedqa}
  split: { train: 0.8, val: 0.1, test: 0.1, stratify: true, seed: 42 }
  limit: { train: 16, val: 12, test: 12 }
model:
  path: ${stories260kDir}
task:
  template: "Question: {question}\\nContext: {context}\\nAnswer:"
  labels:
    "yes": " yes"
    "no": " no"
arms:
  - name: base
    kind: base
${arm}training:
  epochs: 2
  lr: 0.05
  batch_size: 8
  max_length: 192
evaluation:
  mode: label-score
  metrics: [accuracy, macro_f1]
stats:
  baseline: base
  mcnemar: true
  bootstrap: { B: 100, seed: 42 }
output:
  dir: ${join(dir, "results")}
`,
  )
  return { dir, file }
}

/** "(line L:C)": where `at` is on the spec's first line that holds `line`, as a spec error prints it. */
const placed = (file: string, line: string, at = line): string => {
  const lines = readFileSync(file, "utf8").split("\n")
  const index = lines.findIndex((l) => l.includes(line))
  return `(line ${index + 1}:${lines[index]!.indexOf(at) + 1})`
}

interface PredictLine {
  readonly log_probs: Record<string, number>
  readonly prompt_ids: ReadonlyArray<number>
  readonly label_ids: Record<string, ReadonlyArray<number>>
}

describe("a spec with an ia3 arm", () => {
  it("runs end to end, and PEFT loads the saved adapter with the same label log-probs", () => {
    const { dir, file } = writeSpec(ia3Arm)
    expect(peftlab(["run", file, "--allow-plugins", "--dry-run"]).stdout).toMatch(/arm ia3: IA3 on \[k_proj, v_proj, down_proj\], input-scaled \[down_proj\]/)
    const run = peftlab(["run", file, "--allow-plugins", "--no-tui"])
    expect(run.code, run.stderr).toBe(0)
    const adapter = join(dir, "results", "adapters", "ia3")
    const config = JSON.parse(readFileSync(join(adapter, "adapter_config.json"), "utf8"))
    expect(config).toMatchObject({ peft_type: "IA3", target_modules: ["k_proj", "v_proj", "down_proj"], feedforward_modules: ["down_proj"], fan_in_fan_out: false })

    // The saved adapter as an existing-adapter arm: loaded through the plugin by its peft_type, it predicts what the trained arm did.
    const reused = writeSpec(`  - name: reused\n    kind: adapter\n    path: ${adapter}\n`)
    const rerun = peftlab(["run", reused.file, "--allow-plugins", "--no-tui"])
    expect(rerun.code, rerun.stderr).toBe(0)
    const predictions = (folder: string, arm: string) => readFileSync(join(folder, "results", `preds_${arm}_test.csv`), "utf8")
    expect(predictions(reused.dir, "reused")).toBe(predictions(dir, "ia3"))

    const python = goldensPython()
    if (python === undefined) return console.warn("skipped PEFT's side: no .venv-goldens (packages/references/python/requirements.txt)")
    const few = Object.fromEntries(Object.entries(JSON.parse(readFileSync(pubmedqa, "utf8"))).slice(0, 4))
    const data = join(dir, "few.json")
    writeFileSync(data, JSON.stringify(few))
    const out = join(dir, "predictions.jsonl")
    const predict = peftlab(["predict", "--model", stories260kDir, "--adapter", adapter, "--data", data, "--spec", file, "--ids", "--out", out, "--allow-plugins"])
    expect(predict.code, predict.stderr).toBe(0)
    const lines = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as PredictLine)
    const request = {
      model: stories260kDir,
      adapter,
      quantize: null,
      examples: lines.map((line) => ({ prompt: line.prompt_ids, labels: Object.keys(line.log_probs).map((label) => line.label_ids[label]) })),
    }
    const script = join(repoRoot, "packages", "references", "python", "adapter_scores.py")
    const answer = JSON.parse(execFileSync(python, [script], { input: JSON.stringify(request), encoding: "utf8", stdio: ["pipe", "pipe", "ignore"] }))
    expect(answer.peft).toBe("0.21.2")
    lines.forEach((line, i) => Object.values(line.log_probs).forEach((ours, j) => expect(Math.abs(ours - answer.scores[i][j])).toBeLessThan(1e-4)))
  }, 300_000)

  it("refuses a target_modules that matches no module (exit 2, naming the field) before any arm runs", () => {
    const { dir, file } = writeSpec(ia3Arm.replace("[k_proj, v_proj, down_proj]", "[nope]").replace("    feedforward_modules: [down_proj]\n", ""))
    const run = peftlab(["run", file, "--allow-plugins", "--no-tui"])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`arms[1].target_modules: [nope] matches no linear module of this llama model`)
    expect(run.stderr).toContain(placed(file, "[nope]"))
    expect(existsSync(join(dir, "results", "arms")) ? readdirSync(join(dir, "results", "arms")) : []).toEqual([])
  })

  it("refuses an option IA3 does not have, at its line:column, once run imports the plugin (validate leaves it to run)", () => {
    const { file } = writeSpec(`${ia3Arm}    r: 4\n`)
    const run = peftlab(["run", file, "--allow-plugins", "--dry-run"])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`arms[1].r: expected no such field, got 4 ${placed(file, "r: 4")}`)
    const validate = peftlab(["validate", file])
    expect(validate.code, validate.stderr).toBe(0)
    expect(validate.stdout).toContain(`arms[1].kind: "ia3" ${placed(file, "kind: ia3", "ia3")}; \`peftlab run --allow-plugins\` checks these`)
  })

  it("names the registered arm kinds when no plugin registers ia3", () => {
    const { file } = writeSpec(ia3Arm, false)
    const run = peftlab(["validate", file])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`arms[1].kind: expected one of base, fine-tune, prompt, prefix, p-tuning, lora, adapter, got "ia3" ${placed(file, "kind: ia3", "ia3")}`)
  })
})
