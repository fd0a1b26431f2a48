// One spec, three backends: `peftlab run --backend cpu|wasm|webgpu` trains and evaluates the
// same arms to the same predictions, with label-score confidences within 1e-3.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, quickstartVariant } from "./cli.ts"

const tolerance = 1e-3

const predictions = (out: string, arm: string) =>
  readFileSync(join(out, `preds_${arm}_test.csv`), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const [id, gold, pred, score] = line.split(",")
      return { id, gold, pred, score: Number(score) }
    })

describe("the same spec on cpu, wasm and webgpu", () => {
  const { file, dir } = quickstartVariant((spec) => {
    spec.data.limit = { train: 4, val: 4, test: 6 }
    spec.training.epochs = 1
    spec.arms = [
      { name: "base", kind: "base" },
      { name: "lora", kind: "lora", r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: ["q_proj", "v_proj"] },
    ]
  })
  const backends = ["cpu", "wasm", "webgpu"] as const
  const outs = new Map<string, string>()

  it.each(backends)("runs on %s", (backend) => {
    const out = join(dir, backend)
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", backend])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).backend).toBe(backend)
    outs.set(backend, out)
  })

  it.each(["wasm", "webgpu"])(`%s predicts what cpu predicts, confidences within ${tolerance}`, (backend) => {
    for (const arm of ["base", "lora"]) {
      const [reference, got] = [predictions(outs.get("cpu")!, arm), predictions(outs.get(backend)!, arm)]
      expect(got.map((p) => [p.id, p.pred])).toEqual(reference.map((p) => [p.id, p.pred]))
      got.forEach((p, i) => expect(Math.abs(p.score - reference[i]!.score)).toBeLessThan(tolerance))
    }
  })
})
