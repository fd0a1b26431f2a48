// Reusing adapters through the real CLI: a LoRA arm trains and saves its adapter; a second
// spec evaluates that folder as an adapter arm (the same predictions and scores, exactly),
// continues training from it with init_from, and evaluates PEFT-format folders no peftlab
// run wrote; an adapter whose shapes do not fit the model stops the run before any arm;
// `peftlab predict` gives the trained arm's predictions again on new data, and a generative-qa
// run's generated answers again with the task from --spec.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { writeAdapterFolder } from "@peftlab/testkit/peft-folder"
import { peftlab, quickstartVariant, tinyRun } from "./cli.ts"

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"))
const run = (file: string, out: string) => peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])

interface Finished {
  readonly predictions: ReadonlyArray<{ id: string; gold: string; pred: string; score: number }>
  readonly training?: { readonly steps: ReadonlyArray<{ loss: number }> }
}
const finished = (out: string, arm: string): Finished => readJson(join(out, "arms", arm, "result.json"))

const lora = { name: "lora", kind: "lora", r: 4, lora_alpha: 8, target_modules: ["q_proj", "v_proj"] }
const small = (spec: Record<string, any>) => {
  tinyRun(spec)
  spec.data.limit = { train: 8, val: 6, test: 6 }
  spec.training.epochs = 1
}

// stories260k: 5 layers of width 64 with 4 key/value heads of 8.
const layers = [0, 1, 2, 3, 4]
const foreignLora = () =>
  writeAdapterFolder(
    { peft_type: "LORA", task_type: "CAUSAL_LM", base_model_name_or_path: "someone/llama-elsewhere", r: 2, lora_alpha: 16, target_modules: ["q_proj"], lora_dropout: 0.1, bias: "none", inference_mode: true },
    Object.fromEntries(layers.flatMap((i) => [[`base_model.model.model.layers.${i}.self_attn.q_proj.lora_A.weight`, [2, 64]], [`base_model.model.model.layers.${i}.self_attn.q_proj.lora_B.weight`, [64, 2]]])),
  )
const foreignPrompt = () =>
  writeAdapterFolder(
    { peft_type: "PROMPT_TUNING", task_type: "CAUSAL_LM", base_model_name_or_path: "someone/llama-elsewhere", num_virtual_tokens: 4, token_dim: 64, num_layers: 5, num_attention_heads: 4, inference_mode: true },
    { prompt_embeddings: [4, 64] },
  )

describe("reusing an adapter", () => {
  const first = quickstartVariant((spec) => {
    small(spec)
    spec.arms = [{ name: "base", kind: "base" }, lora]
  })
  const trained = join(first.dir, "results")
  const adapter = join(trained, "adapters", "lora")

  it("trains a LoRA arm and saves its adapter", () => {
    const result = run(first.file, trained)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(readJson(join(adapter, "adapter_config.json"))).toMatchObject({ peft_type: "LORA", r: 4 })
  })

  it("evaluates it as an adapter arm with exactly its predictions, continues from it with init_from, and evaluates folders from elsewhere", async () => {
    const [peftLora, peftPrompt] = [await foreignLora(), await foreignPrompt()]
    const second = quickstartVariant((spec) => {
      small(spec)
      spec.arms = [
        { name: "base", kind: "base" },
        // In the trained arm's place, so it draws the same batches; an lr too small to move a
        // float32 weight leaves it the saved adapter throughout.
        { ...lora, name: "more", init_from: adapter, training: { lr: 1e-30 } },
        { name: "reused", kind: "adapter", path: adapter },
        { name: "reused-nf4", kind: "adapter", path: adapter, quantize: "nf4" },
        { name: "peft-lora", kind: "adapter", path: peftLora },
        { name: "peft-prompt", kind: "adapter", path: peftPrompt },
      ]
      spec.stats.baseline = "reused"
    })
    const out = join(second.dir, "results")
    const result = run(second.file, out)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)

    expect(readJson(join(out, "manifest.json")).adapters).toStrictEqual({ [adapter]: adapter, [peftLora]: peftLora, [peftPrompt]: peftPrompt })
    const original = finished(trained, "lora")
    expect(finished(out, "reused").predictions).toStrictEqual(original.predictions)
    expect(finished(out, "reused").training).toBeUndefined()

    // A fresh LoRA (B zero) starts from the base's loss; this one from the trained adapter's.
    const more = finished(out, "more")
    expect(more.predictions).toStrictEqual(original.predictions)
    expect(more.training!.steps[0]!.loss).not.toBe(original.training!.steps[0]!.loss)
    expect(more.training!.steps[0]!.loss).toBeLessThan(original.training!.steps[0]!.loss)
    expect(result.stdout).toContain(`more: starts from the adapter in ${adapter}`)

    // Adapters from elsewhere change the base's scores, and appear in results and statistics.
    const base = finished(out, "base").predictions.map((p) => p.score)
    for (const arm of ["peft-lora", "peft-prompt", "reused-nf4"]) expect(finished(out, arm).predictions.map((p) => p.score)).not.toStrictEqual(base)
    const rows = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n").map((row) => row.split(",")[0])
    expect(rows).toStrictEqual(["arm", "base", "more", "reused", "reused-nf4", "peft-lora", "peft-prompt"])
    expect(readJson(join(out, "stats.json")).map((c: { arm: string }) => c.arm)).toStrictEqual(["base", "more", "reused-nf4", "peft-lora", "peft-prompt"])
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("peft-prompt")

    // The same spec resumes; another init_from is another experiment.
    const again = run(second.file, out)
    expect(again.stderr).toBe("")
    expect(again.stdout).toContain("[more] done: resumed from the output folder")
    const moved = join(second.dir, "moved-adapter")
    cpSync(adapter, moved, { recursive: true })
    writeFileSync(second.file, readFileSync(second.file, "utf8").replace(`init_from: ${adapter}`, `init_from: ${moved}`))
    const changed = run(second.file, out)
    expect(changed.code).toBe(2)
    expect(changed.stderr).toContain("this folder holds results of a different experiment (it differs in arms")
  })

  it("predicts new data with the adapter as the run did, the task read from the run's manifest", () => {
    const original = finished(trained, "lora")
    const manifest = readJson(join(trained, "manifest.json"))
    // The run's test examples, as a new data file of the same kind.
    const all = readJson(manifest.data.path)
    const ids = original.predictions.map((p) => p.id)
    const data = join(first.dir, "new.json")
    writeFileSync(data, JSON.stringify(Object.fromEntries(ids.map((id) => [id, all[id]]))))
    const out = join(first.dir, "predictions.jsonl")
    const predicted = peftlab(["predict", "--model", manifest.model.path, "--adapter", adapter, "--data", data, "--out", out, "--backend", "wasm", "--ids"])
    expect(predicted.stderr).toBe("")
    expect(predicted.code).toBe(0)
    expect(predicted.stdout).toContain(`${out}: ${ids.length} predictions (task from ${join(trained, "manifest.json")})`)
    const lines = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line))
    // In the data file's order, which the data kind fixes; the run's are in its test split's.
    const byId = <P extends { id: string }>(rows: ReadonlyArray<P>) => [...rows].sort((a, b) => a.id.localeCompare(b.id))
    expect(byId(lines.map((l) => ({ id: l.id, gold: l.gold, pred: l.prediction, score: l.probability })))).toStrictEqual(byId(original.predictions))
    for (const line of lines) expect(Object.keys(line.log_probs)).toStrictEqual(["yes", "no"])
    // --ids: the tokens each score was computed from, for a check by another library (.ci/run's
    // adapter round trip): the template's prompt, ending where the label's tokens begin.
    const line0 = lines[0]
    expect(line0.prompt_ids.length).toBeGreaterThan(10)
    expect(line0.prompt_ids.every((id: unknown) => Number.isInteger(id))).toBe(true)
    expect(Object.keys(line0.label_ids)).toStrictEqual(["yes", "no"])
    expect(line0.label_ids.yes).not.toStrictEqual(line0.label_ids.no)
  })
})

describe("an adapter that does not fit the model", () => {
  it("stops the run (exit 2) naming its file, before any arm runs", async () => {
    const wrong = await writeAdapterFolder(
      { peft_type: "LORA", r: 2, lora_alpha: 4, target_modules: ["q_proj"] },
      Object.fromEntries(layers.flatMap((i) => [[`base_model.model.model.layers.${i}.self_attn.q_proj.lora_A.weight`, [2, 32]], [`base_model.model.model.layers.${i}.self_attn.q_proj.lora_B.weight`, [64, 2]]])),
    )
    const { file, dir } = quickstartVariant((spec) => {
      small(spec)
      spec.arms = [{ name: "base", kind: "base" }, { name: "wrong", kind: "adapter", path: wrong }]
    })
    const out = join(dir, "results")
    const result = run(file, out)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`error: ${join(wrong, "adapter_model.safetensors")}: tensor "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": expected shape [2, 64], got [2, 32]\n`)
    expect(existsSync(join(out, "arms", "base", "result.json"))).toBe(false)
  })
})

describe("reusing an adapter for generative QA", () => {
  it("evaluates a PEFT prompt-tuning folder as an adapter arm, and predict --spec generates its answers again", async () => {
    const prompt = await foreignPrompt()
    // One MedQuAD-shaped file of eight question-answer pairs.
    const medquad = mkdtempSync(join(tmpdir(), "peftlab-medquad-"))
    const pairs = Array.from({ length: 8 }, (_, i) => `<QAPair pid="${i + 1}"><Question qid="1-${i + 1}" qtype="information">What is condition ${i} ?</Question><Answer>Condition ${i} is a rare disease of the ${i % 2 ? "skin" : "lungs"}.</Answer></QAPair>`)
    mkdirSync(join(medquad, "1_A_QA"))
    writeFileSync(join(medquad, "1_A_QA", "0001.xml"), `<?xml version="1.0" encoding="UTF-8"?>\n<Document id="0001" source="A" url="u">\n<Focus>Conditions</Focus>\n<QAPairs>\n${pairs.join("\n")}\n</QAPairs>\n</Document>\n`)
    const { file, dir } = quickstartVariant((spec) => {
      spec.data = { kind: "medquad", path: medquad, split: { train: 0.5, val: 0.25, test: 0.25, stratify: false, seed: 1 } }
      spec.task = { kind: "generative-qa", template: "Answer: {question}" }
      spec.evaluation = { mode: "generate", max_new_tokens: 4, metrics: ["rougeL"] }
      spec.training = { ...spec.training, epochs: 1, max_length: 64, select_by: "loss" }
      spec.stats.bootstrap.B = 50
      spec.arms = [{ name: "base", kind: "base" }, { name: "reused", kind: "adapter", path: prompt }]
    })
    const out = join(dir, "results")
    const result = run(file, out)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const generations: ReadonlyArray<{ id: string; generated: string; reference: string }> = readJson(join(out, "arms", "reused", "result.json")).generations
    expect(generations.length).toBeGreaterThan(0)
    expect(generations.some((row) => row.generated !== "")).toBe(true)

    const predicted = peftlab(["predict", "--model", readJson(join(out, "manifest.json")).model.path, "--adapter", prompt, "--data", medquad, "--spec", file, "--backend", "wasm"])
    expect(predicted.stderr).toBe("")
    expect(predicted.code).toBe(0)
    const lines = new Map(predicted.stdout.trim().split("\n").map((line) => JSON.parse(line)).map((l) => [l.id, l]))
    expect(lines.size).toBe(8)
    for (const row of generations) expect(lines.get(row.id)).toStrictEqual({ id: row.id, prediction: row.generated, reference: row.reference })
  })
})
