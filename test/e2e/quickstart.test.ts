import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, peftlabChild, quickstartVariant, tinyRun } from "./cli.ts"
import { findReaders, readWithReferences } from "../../packages/trackers/test/reference-readers.ts"
import { hasChromium, chromiumPath, openReport } from "./browser.ts"
import { expectedSeries, mlflowRuns, referenceSeries, tensorBoardSeries } from "./tracker-files.ts"

const expectedFiles = [
  "manifest.json",
  "results.csv",
  "results.md",
  "stats.json",
  "stats.md",
  "preds_base_test.csv",
  "preds_prompt_test.csv",
  "confusion_base.csv",
  "confusion_prompt.csv",
  "train_log.jsonl",
  "adapters/prompt/adapter_config.json",
  "adapters/prompt/adapter_model.safetensors",
  "adapters/prefix/adapter_model.safetensors",
  "adapters/lora/adapter_config.json",
  "adapters/qlora/adapter_model.safetensors",
]

const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8")

// The uninterrupted run that the resumed ones must reproduce.
const { file, dir } = quickstartVariant(tinyRun)
const out = join(dir, "results")

describe("peftlab run (quickstart, tiny)", () => {

  it("exits 0 and writes every file of the results folder", () => {
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    for (const f of expectedFiles) expect(existsSync(join(out, f)), f).toBe(true)
    expect(run.stdout).toMatch(/\[prompt\] epoch 2 done/)
    // The last lines say where to look.
    expect(run.stdout.trim().split("\n").slice(-3)).toStrictEqual([
      `report: ${join(out, "report.html")} (open it in a browser; report.md is the same in markdown)`,
      `TensorBoard: tensorboard --logdir ${join(out, "tensorboard")}`,
      `MLflow: MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri file:${join(out, "mlruns")}`,
    ])
  })

  it("writes consistent contents", () => {
    const manifest = JSON.parse(read(out, "manifest.json"))
    expect(manifest.status).toBe("complete")
    expect(manifest.data.splits).toEqual({ train: 16, val: 12, test: 12 })
    expect(manifest.data.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(manifest.seeds).toEqual({ experiment: 42, split: 42, bootstrap: 42 })
    expect(manifest.packages["@tensorflow/tfjs"]).toBe("4.22.0")

    const preds = read(out, "preds_prompt_test.csv").trim().split("\n")
    expect(preds[0]).toBe("id,gold,pred,score")
    expect(preds).toHaveLength(13)
    const confusion = read(out, "confusion_prompt.csv").trim().split("\n")
    const counted = confusion.slice(1).flatMap((row) => row.split(",").slice(1).map(Number))
    expect(counted.reduce((a, b) => a + b, 0)).toBe(12)

    const results = read(out, "results.csv").trim().split("\n")
    expect(results).toHaveLength(6)
    const stats = JSON.parse(read(out, "stats.json"))
    expect(stats[0].arm).toBe("prompt")
    expect(stats[0].baseline).toBe("base")
    expect(stats[0].mcnemar.pValue).toBeGreaterThan(0)

    const log = read(out, "train_log.jsonl").trim().split("\n").map((l) => JSON.parse(l))
    // Four trained arms, each 16 examples / batch 8 x 2 epochs.
    expect(log.filter((l) => l.type === "step")).toHaveLength(16)
    expect(log.filter((l) => l.type === "epoch")).toHaveLength(8)

    const config = JSON.parse(read(out, "adapters/prompt/adapter_config.json"))
    expect(config.peft_type).toBe("PROMPT_TUNING")
    expect(config.num_virtual_tokens).toBe(8)
  })

  it("holds every figure as Vega-Lite JSON, SVG and PNG, and report.md with them", () => {
    const figures = ["performance", "latency", "efficiency", "training_curves", ...["base", "prompt", "prefix", "lora", "qlora"].map((arm) => `confusion_${arm}`)]
    for (const figure of figures) for (const ext of [".vl.json", ".svg", ".png"]) expect(existsSync(join(out, "figures", figure + ext)), figure + ext).toBe(true)
    const report = read(out, "report.md")
    expect(report).toMatch(/^# pubmedqa-quickstart\n\nTest set: n = 12\./)
    expect(report).toContain("![performance](figures/performance.svg)")
    expect(report).toContain(read(out, "results.md").replace(/^# Results\n+/, "").trim())
  })

  it("writes report.html, one self-contained page with every arm", () => {
    const page = read(out, "report.html")
    expect(page).toMatch(/^<!doctype html>/i)
    expect(page).toContain("<title>pubmedqa-quickstart")
    for (const arm of ["base", "prompt", "prefix", "lora", "qlora"]) expect(page).toMatch(new RegExp(`<option value="\\d+"( selected)?>${arm}</option>`))
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i)
  })

  it("draws every figure of report.html in headless Chromium, offline, with nothing on the console", async (ctx) => {
    if (!hasChromium) {
      if (process.env["CI"]) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium, or set PEFTLAB_CHROMIUM`)
      console.warn(`skipping the browser check: no Chromium at ${chromiumPath}`)
      return ctx.skip()
    }
    const screenshot = join(import.meta.dirname, "..", ".test-results", "quickstart-report.png")
    const { figures, problems } = await openReport(join(out, "report.html"), screenshot)
    const drawn = readdirSync(join(out, "figures")).filter((f) => f.endsWith(".vl.json")).map((f) => f.replace(/\.vl\.json$/, ""))
    expect(figures.map((f) => f.name).sort()).toStrictEqual(drawn.sort())
    expect(figures.filter((f) => !f.drawn)).toStrictEqual([])
    expect(problems).toStrictEqual([])
    expect(existsSync(screenshot)).toBe(true)
  })

  it("writes TensorBoard event files and MLflow runs holding train_log.jsonl's and results.csv's values", () => {
    const tensorboard = tensorBoardSeries(join(out, "tensorboard"), "pubmedqa-quickstart")
    expect(tensorboard).toStrictEqual(expectedSeries(out, (column) => `test/${column}`, Math.fround))
    const mlflow = mlflowRuns(join(out, "mlruns"), "pubmedqa-quickstart")
    expect(mlflow.series).toStrictEqual(expectedSeries(out, (column) => column, (value) => value))
    const lora = mlflow.runs["lora"]!
    expect(lora.params["training.lr"]).toBe("0.03")
    expect(lora.params["arm.r"]).toBe("8")
    expect(lora.meta.status).toBe(3)
    expect(Object.keys(lora.artifacts)).toEqual(expect.arrayContaining(["adapter/adapter_model.safetensors", "adapter/adapter_config.json", "report.html", "results.csv", "preds_lora_test.csv"]))
  })

  it("is read the same by TensorBoard and MLflow themselves", (ctx) => {
    const readers = findReaders()
    if ("missing" in readers) {
      if (process.env["CI"]) throw new Error(readers.missing)
      console.warn(`skipping the reference readers: ${readers.missing}`)
      return ctx.skip()
    }
    const tensorboard = readWithReferences(readers.python, "tensorboard", join(out, "tensorboard")) as Parameters<typeof referenceSeries.tensorboard>[0]
    expect(referenceSeries.tensorboard(tensorboard, "pubmedqa-quickstart")).toStrictEqual(expectedSeries(out, (column) => `test/${column}`, Math.fround))
    const mlflow = readWithReferences(readers.python, "mlflow", join(out, "mlruns"), "pubmedqa-quickstart") as Parameters<typeof referenceSeries.mlflow>[0]
    expect(referenceSeries.mlflow(mlflow)).toStrictEqual(expectedSeries(out, (column) => column, (value) => value))
  })

  it("peftlab report rebuilds identical tables, figures and report from the folder alone", () => {
    const files = ["results.md", "results.csv", "stats.md", "stats.json", "report.md", "report.html", "figures/performance.svg", "figures/confusion_prompt.png"]
    const before = new Map(files.map((f) => [f, readFileSync(join(out, f))]))
    for (const f of files) rmSync(join(out, f))
    const rebuilt = peftlab(["report", out])
    expect(rebuilt.stderr).toBe("")
    expect(rebuilt.code).toBe(0)
    for (const f of files) expect(readFileSync(join(out, f)).equals(before.get(f)!), f).toBe(true)
    const compared = peftlab(["compare", out, out])
    expect(compared.code).toBe(0)
    expect(compared.stdout.trim().split("\n")).toHaveLength(2 + 2 * 5)
    const page = join(dir, "compared", "runs.html")
    const comparedHtml = peftlab(["compare", out, out, "--html", page])
    expect(comparedHtml.code).toBe(0)
    expect(comparedHtml.stdout.trim().split("\n").at(-1)).toBe(`wrote ${page}`)
    // The table, then each run's own report: its figures and examples.
    expect(readFileSync(page, "utf8").match(/<script type="application\/json"/g)?.length).toBe(2 * 9)
    expect(peftlab(["report", join(out, "missing")]).code).toBe(2)
  })

  it("resumes: a finished arm is reused and a missing one is redone identically", () => {
    const before = read(out, "preds_prompt_test.csv")
    rmSync(join(out, "arms", "prompt"), { recursive: true })
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/\[base\].*resumed/)
    expect(read(out, "preds_prompt_test.csv")).toBe(before)
  })

  it("refuses, with exit 2 and nothing lost, to mix results of a different spec", () => {
    const other = quickstartVariant((spec) => {
      tinyRun(spec)
      spec.training.lr = 0.5
    })
    const snapshot = () =>
      readdirSync(out, { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => [entry.name, read(out, entry.name)])
    const before = snapshot()
    const run = peftlab(["run", other.file, "--out", out, "--no-tui", "--backend", "wasm"])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/different experiment \(it differs in training\)/)
    expect(snapshot()).toEqual(before)
  })
})

describe("peftlab run, interrupted", () => {
  it("stops on SIGINT with exit 130; the next run resumes from the checkpoint to the same adapter", async () => {
    const interrupted = join(dir, "interrupted")
    const child = peftlabChild(["run", file, "--out", interrupted, "--no-tui", "--backend", "wasm"])
    let stdout = ""
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk)
      if (/\[prompt\] epoch 1\/2 step 1\//.test(stdout)) child.kill("SIGINT")
    })
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
    expect(code).toBe(130)
    expect(existsSync(join(interrupted, "arms", "base", "result.json"))).toBe(true)
    expect(existsSync(join(interrupted, "arms", "prompt", "result.json"))).toBe(false)
    expect(existsSync(join(interrupted, "arms", "prompt", "checkpoint", "state.json"))).toBe(true)
    expect(JSON.parse(readFileSync(join(interrupted, "manifest.json"), "utf8")).status).toBe("interrupted")

    const rerun = peftlab(["run", file, "--out", interrupted, "--no-tui", "--backend", "wasm"])
    expect(rerun.code).toBe(0)
    expect(rerun.stdout).toMatch(/\[base\].*resumed/)
    expect(rerun.stdout).toMatch(/\[prompt\] training.*resumed at step [1-3]/)
    expect(existsSync(join(interrupted, "arms", "prompt", "checkpoint"))).toBe(false)
    const adapter = (folder: string) => readFileSync(join(folder, "adapters", "prompt", "adapter_model.safetensors"))
    expect(adapter(interrupted).equals(adapter(out))).toBe(true)
    expect(read(interrupted, "preds_prompt_test.csv")).toBe(read(out, "preds_prompt_test.csv"))
  })
})
