import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import {
  bootstrapPDefinition,
  writeTrainLog,
  type ArmResult,
  type Comparison,
  writeConfusion,
  writeManifest,
  writePredictions,
  writeResults,
  writeStats,
  randomizationPDefinition,
} from "../src/index.ts"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8")

describe("results folder writers", () => {
  const tmp = useTmpDir("reporters")

  it("writeManifest writes pretty JSON", async () => {
    await writeManifest(tmp(), { name: "quickstart", seed: 13, arms: ["base"] })
    expect(read(tmp(), "manifest.json")).toBe('{\n  "name": "quickstart",\n  "seed": 13,\n  "arms": [\n    "base"\n  ]\n}\n')
  })

  it("writeResults adds each configuration's mean ± sd over its seeds (sample sd)", async () => {
    const run = (arm: string, macroF1: number, accuracy: number): ArmResult => ({
      arm, kind: "lora", n: 10, accuracy, macroF1, perClassF1: { yes: 0, no: 0 }, latencyMeanMs: 1, latencyP95Ms: 1, trainableParams: 8,
    })
    const results = [run("base", 0.3, 0.5), run("lora-seed1", 0.5, 0.6), run("lora-seed2", 0.7, 0.8)]
    const configOf = new Map([["base", "base"], ["lora-seed1", "lora"], ["lora-seed2", "lora"]])
    await writeResults(tmp(), results, ["yes", "no"], configOf)
    // lora: mean (0.5 + 0.7) / 2 = 0.6, sd sqrt(((0.1)^2 + (0.1)^2) / 1) = 0.1414; accuracy 0.7 ± 0.1414.
    expect(read(tmp(), "results_by_config.csv").split("\n")[2]).toMatch(/^lora,2,0\.6(0+\d*)?,0\.14142135623730\d*,0\.7\d*,0\.14142135623730\d*$/)
    expect(read(tmp(), "results.md")).toContain("| lora | 2 | 0.6000 ± 0.1414 | 0.7000 ± 0.1414 |")
    expect(read(tmp(), "results.md")).toContain("| base | 1 | 0.3000 ± 0.0000 | 0.5000 ± 0.0000 |")
  })

  it("writeResults writes one row per arm to results.csv and results.md", async () => {
    const results: ArmResult[] = [
      {
        arm: "zero-shot",
        kind: "baseline",
        n: 100,
        accuracy: 0.55,
        macroF1: 0.41234567,
        perClassF1: { yes: 0.7, no: 0.12345 },
        latencyMeanMs: 12.3456,
        latencyP95Ms: 20,
        trainableParams: 0,
      },
      {
        arm: "prompt",
        kind: "prompt-tuning",
        n: 100,
        accuracy: 0.625,
        macroF1: 0.6,
        perClassF1: { no: 0.5, yes: 0.7 },
        latencyMeanMs: 13,
        latencyP95Ms: 21.125,
        trainableParams: 8192,
      },
    ]
    await writeResults(tmp(), results, ["yes", "no"])
    expect(read(tmp(), "results.csv")).toBe(
      "arm,kind,n,macro_f1,accuracy,f1_yes,f1_no,latency_mean_ms,latency_p95_ms,trainable_params\n" +
        "zero-shot,baseline,100,0.41234567,0.55,0.7,0.12345,12.3456,20,0\n" +
        "prompt,prompt-tuning,100,0.6,0.625,0.7,0.5,13,21.125,8192\n",
    )
    expect(read(tmp(), "results.md")).toBe(
      "# Results\n\n" +
        "| arm | kind | n | macro-F1 | accuracy | F1 yes | F1 no | latency mean (ms) | latency p95 (ms) | trainable params |\n" +
        "| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n" +
        "| zero-shot | baseline | 100 | 0.4123 | 0.5500 | 0.7000 | 0.1235 | **12.35** | **20.00** | 0 |\n" +
        "| prompt | prompt-tuning | 100 | **0.6000** | **0.6250** | 0.7000 | **0.5000** | 13.00 | 21.13 | 8192 |\n",
    )
    await expect(writeResults(tmp(), [{ ...results[0]!, perClassF1: { yes: 1 } }], ["yes", "no"])).rejects.toThrow(
      /zero-shot has no F1 for label "no"/,
    )
  })

  it("writeResults gives each further metric its own column, after the standard ones", async () => {
    const arm = (name: string, metrics: Record<string, number>): ArmResult => ({
      arm: name, kind: "lora", n: 4, accuracy: 0.5, macroF1: 0.5, perClassF1: { yes: 0.5, no: 0.5 }, latencyMeanMs: 1, latencyP95Ms: 2, trainableParams: 8, metrics,
    })
    await writeResults(tmp(), [arm("base", { balanced_accuracy: 0.5, positive_recall: 0.25 }), arm("lora", { balanced_accuracy: 0.75, positive_recall: 1 })], ["yes", "no"])
    const [header, base, lora] = read(tmp(), "results.csv").split("\n")
    expect(header).toBe("arm,kind,n,macro_f1,accuracy,f1_yes,f1_no,latency_mean_ms,latency_p95_ms,trainable_params,balanced_accuracy,positive_recall")
    expect(base).toBe("base,lora,4,0.5,0.5,0.5,0.5,1,2,8,0.5,0.25")
    expect(lora).toBe("lora,lora,4,0.5,0.5,0.5,0.5,1,2,8,0.75,1")
    expect(read(tmp(), "results.md")).toContain("| trainable params | balanced_accuracy | positive_recall |")
    expect(read(tmp(), "results.md")).toContain("| 8 | **0.7500** | **1.0000** |")
    await expect(writeResults(tmp(), [arm("base", { balanced_accuracy: 0.5 }), arm("lora", {})], ["yes", "no"])).rejects.toThrow(
      /arm lora has no value for metric "balanced_accuracy"/,
    )
  })

  it("writeResults shows each arm's 95% CI in brackets beside macro-F1 and accuracy", async () => {
    const arm = (name: string, macroF1: number): ArmResult => ({
      arm: name, kind: "lora", n: 4, accuracy: 0.5, macroF1, perClassF1: { yes: 0.5, no: 0.5 }, latencyMeanMs: 1, latencyP95Ms: 2, trainableParams: 8,
    })
    const intervals = new Map([["a", { macroF1: [0.25, 0.75] as const, accuracy: [0.1, 0.9] as const }]])
    await writeResults(tmp(), [arm("a", 0.5), arm("b", 0.4)], ["yes", "no"], new Map(), intervals)
    const md = read(tmp(), "results.md")
    expect(md).toContain("| arm | kind | n | macro-F1 [95% CI] | accuracy [95% CI] |")
    expect(md).toContain("| a | lora | 4 | **0.5000** [0.2500, 0.7500] | 0.5000 [0.1000, 0.9000] |")
    expect(md).toContain("| b | lora | 4 | 0.4000 | 0.5000 |")
  })

  it("writeStats writes stats.json and a table per comparison to stats.md", async () => {
    const comparisons: Comparison[] = [
      {
        arm: "prompt",
        baseline: "zero-shot",
        n: 120,
        mcnemar: { b: 3, c: 12, n: 15, pValue: 0.03515625 },
        bootstrap: {
          accuracy: { observed: 0.075, ci95: [0.01, 0.14], pValue: 0.0234, B: 1000 },
          // No resample of 1000 crossed 0: p = 2·(0 + 1)/(1000 + 1), written as it is, never 0.
          macroF1: { observed: -0.02, ci95: [-0.1, 0.05], pValue: 2 / 1001, B: 1000 },
        },
        randomization: {
          accuracy: { observed: 0.075, pValue: 0.0412, pHolm: 0.0824, R: 9999 },
          // No shuffle of 9999 reached the difference: p = (0 + 1)/(9999 + 1).
          macroF1: { observed: -0.02, pValue: 1 / 10000, pHolm: 2 / 10000, R: 9999 },
        },
      },
      { arm: "lora", baseline: "zero-shot", mcnemar: { b: 0, c: 0, n: 0, pValue: 1 } },
    ]
    await writeStats(tmp(), comparisons)
    expect(JSON.parse(read(tmp(), "stats.json"))).toEqual(comparisons)
    expect(read(tmp(), "stats.md")).toBe(
      "# Statistics\n\n" +
        "## prompt vs zero-shot\n\n" +
        "n = 120 paired test examples.\n\n" +
        `Paired bootstrap, B = 1000: difference = prompt − zero-shot. ${bootstrapPDefinition}\n\n` +
        "| metric | difference | 95% CI | p |\n" +
        "| :--- | ---: | ---: | ---: |\n" +
        "| accuracy | +0.0750 | [+0.0100, +0.1400] | 0.0234 |\n" +
        "| macroF1 | -0.0200 | [-0.1000, +0.0500] | 0.002 |\n\n" +
        `Approximate randomization, R = 9999: difference = prompt − zero-shot. ${randomizationPDefinition}\n\n` +
        "| metric | difference | p | p (Holm) |\n" +
        "| :--- | ---: | ---: | ---: |\n" +
        "| accuracy | +0.0750 | 0.0412 | 0.0824 |\n" +
        "| macroF1 | -0.0200 | 0.0001 | 0.0002 |\n\n" +
        "McNemar exact test: b = 3 (zero-shot right, prompt wrong), c = 12 (zero-shot wrong, prompt right), p = 0.0352.\n\n" +
        "## lora vs zero-shot\n\n" +
        "McNemar exact test: b = 0 (zero-shot right, lora wrong), c = 0 (zero-shot wrong, lora right), p = 1.\n",
    )
  })

  it("writePredictions writes id,gold,pred,score with CSV quoting", async () => {
    await writePredictions(tmp(), "prompt", [
      { id: "1", gold: "yes", pred: "no", score: 0.25 },
      { id: 'pmid,"7"', gold: "no", pred: "no", score: -1.5 },
    ])
    expect(read(tmp(), "preds_prompt_test.csv")).toBe('id,gold,pred,score\n1,yes,no,0.25\n"pmid,""7""",no,no,-1.5\n')
    await expect(writePredictions(tmp(), "../escape", [])).rejects.toThrow(/cannot name a file/)
  })

  it("writeConfusion writes gold rows against predicted columns", async () => {
    await writeConfusion(tmp(), "prompt", ["yes", "no"], [[40, 10], [5, 45]])
    expect(read(tmp(), "confusion_prompt.csv")).toBe("gold\\pred,yes,no\nyes,40,10\nno,5,45\n")
    await expect(writeConfusion(tmp(), "prompt", ["yes", "no"], [[1, 2]])).rejects.toThrow(/2×2/)
  })

  it("writeTrainLog writes one JSON object a line", async () => {
    const dir = join(tmp(), "arm")
    await writeTrainLog(dir, [{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: 0.25 }])
    expect(read(dir, "train_log.jsonl")).toBe('{"epoch":1,"loss":0.5}\n{"epoch":2,"loss":0.25}\n')
    expect(readdirSync(dir)).toEqual(["train_log.jsonl"])
  })
})
