// The study specs under specs/ run unchanged on tiny stand-ins through the real CLI: `--set`
// swaps the model (and the data where the study's own is not here) and shrinks the run.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, repoRoot, tinyFlanT5 } from "./cli.ts"

const shared = process.env.PEFTLAB_DATA && process.env.PEFTLAB_MODELS
if (!shared) console.warn("skipping the study specs: PEFTLAB_DATA or PEFTLAB_MODELS unset")

const spec = (name: string) => join(repoRoot, "specs", `${name}.yaml`)
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8")
const small = ["data.limit.train=16", "data.limit.val=8", "data.limit.test=8", "training.epochs=1", "training.max_length=256", "stats.bootstrap.B=100"]
const sets = (values: ReadonlyArray<string>) => values.flatMap((value) => ["--set", value])

/** A two-class clinical-text CSV (text,label) made from PubMedQA's contexts, as the CSV study expects. */
const clinicalCsv = (dir: string): string => {
  const pubmedqa = JSON.parse(read(join(process.env.PEFTLAB_DATA ?? "", "pubmedqa"), "ori_pqal.json")) as Record<string, { CONTEXTS: string[]; final_decision: string }>
  const quote = (text: string) => `"${text.replaceAll('"', '""')}"`
  const rows = Object.values(pubmedqa)
    .filter((entry) => entry.final_decision !== "maybe")
    .slice(0, 120)
    .map((entry) => `${quote(entry.CONTEXTS.join(" "))},${entry.final_decision === "yes" ? "positive" : "negative"}`)
  const file = join(dir, "notes.csv")
  writeFileSync(file, ["text,label", ...rows].join("\n") + "\n")
  return file
}

describe.skipIf(!shared)("the study specs on stand-ins", () => {
  it("validate as written", () => {
    expect(peftlab(["validate", spec("pubmedqa-prompt-prefix")]).code).toBe(0)
    expect(peftlab(["validate", spec("clinical-text-lora-rank-sweep"), "--set", "data.path=" + spec("quickstart")]).code).toBe(0)
    expect(peftlab(["validate", spec("medquad-lora-qa")]).code).toBe(0)
  })

  it("pubmedqa-prompt-prefix: FLAN-T5 base vs prompt vs prefix, answers generated and read as yes/no", () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-study-"))
    const out = join(dir, "results")
    const run = peftlab(["run", spec("pubmedqa-prompt-prefix"), "--out", out, "--no-tui", ...sets([...small, `model.path=${tinyFlanT5(dir)}`])])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(read(out, "results.csv").trim().split("\n").map((row) => row.split(",")[0])).toEqual(["arm", "base", "prompt", "prefix"])
    expect(JSON.parse(read(out, "manifest.json")).model.architecture).toBe("t5")
    expect(JSON.parse(read(out, "stats.json")).map((c: { arm: string }) => c.arm)).toEqual(["prompt", "prefix"])
    expect(read(out, "report.md")).toContain("# pubmedqa-prompt-prefix")
  })

  it("clinical-text-lora-rank-sweep: a CSV, LoRA r 8 vs 16 selected on validation, the winner alone tested", () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-study-"))
    const out = join(dir, "results")
    const model = join(process.env.PEFTLAB_MODELS ?? "", "stories260k")
    const run = peftlab(["run", spec("clinical-text-lora-rank-sweep"), "--out", out, "--no-tui", ...sets([...small, `model.path=${model}`, `data.path=${clinicalCsv(dir)}`])])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const [selection] = JSON.parse(read(out, "selection.json"))
    expect(selection.configs.map((c: { config: string }) => c.config)).toEqual(["lora-r8", "lora-r16"])
    expect(read(out, "results.csv").trim().split("\n").map((row) => row.split(",")[0])).toEqual(["arm", "base", selection.chosen])
    expect(read(out, "results.csv").split("\n")[0]).toContain("balanced_accuracy")
  })

  it("medquad-lora-qa: generated answers of the base and an NF4 LoRA scored, ROUGE-L compared by paired bootstrap", () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-study-"))
    const out = join(dir, "results")
    const model = join(process.env.PEFTLAB_MODELS ?? "", "stories260k")
    const overrides = [...small, "training.max_length=192", "task.max_answer_tokens=96", "evaluation.max_new_tokens=8", `model.path=${model}`]
    const run = peftlab(["run", spec("medquad-lora-qa"), "--out", out, "--no-tui", ...sets(overrides)])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const [header, ...rows] = read(out, "results.csv").trim().split("\n")
    expect(header).toBe("arm,kind,n,rouge1,rouge2,rougeL,bleu,token_f1,fk_grade,smog,perplexity,latency_mean_ms,latency_p95_ms,trainable_params")
    expect(rows.map((row) => row.split(",")[0])).toEqual(["base", "lora"])
    // The frozen base trains nothing; the LoRA arm's q, k, v updates do.
    expect(rows.map((row) => Number(row.split(",").at(-1)) > 0)).toEqual([false, true])
    for (const arm of ["base", "lora"]) {
      const [predsHeader, ...preds] = read(out, `preds_${arm}_test.csv`).trim().split("\n")
      expect(predsHeader).toBe("id,reference,generated,rouge1,rouge2,rougeL,token_f1")
      expect(preds.length).toBeGreaterThanOrEqual(8)
    }
    const [comparison] = JSON.parse(read(out, "stats.json"))
    expect(comparison).toMatchObject({ arm: "lora", baseline: "base", n: 8 })
    // The observed difference is the difference of the two arms' mean ROUGE-L in results.csv.
    const rougeL = rows.map((row) => Number(row.split(",")[5]))
    expect(comparison.bootstrap.rougeL.observed).toBeCloseTo(rougeL[1]! - rougeL[0]!, 10)
    // Checkpoints every 50 steps, then a rebuilt folder gives the same tables.
    expect(JSON.parse(read(out, "manifest.json")).spec.training).toMatchObject({ batch_size: 4, gradient_accumulation: 8, checkpoint_every: 50 })
    const results = read(out, "results.csv")
    expect(peftlab(["report", out]).code).toBe(0)
    expect(read(out, "results.csv")).toBe(results)
  })
})
