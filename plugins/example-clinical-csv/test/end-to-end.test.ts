// The plugin used from a spec, through the real `peftlab` command: a tiny run on the fixture
// notes whose results carry the plugin's metric, checked against the predictions file.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { builtinRegistry } from "@peftlab/runner"
import { describe, expect, it } from "vitest"
import { peftlab } from "../../../test/e2e/cli.ts"

const fixture = join(import.meta.dirname, "fixtures", "notes.csv")
const entry = join(import.meta.dirname, "..", "src", "index.ts")

/** A spec in a fresh folder, listing the plugin by its path relative to the spec. */
const writeSpec = (plugins: ReadonlyArray<string>) => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-clinical-"))
  const listed = plugins.map((p) => JSON.stringify(p === "plugin" ? `./${relative(dir, entry)}` : p)).join(", ")
  const file = join(dir, "spec.yaml")
  writeFileSync(
    file,
    `name: clinical-notes-plugin
seed: 7
backend: wasm
plugins: [${listed}]
data:
  kind: clinical_notes
  path: ${fixture}
  split: { train: 0.5, val: 0.25, test: 0.25, stratify: true }
model:
  path: ${stories260kDir}
task:
  template: "Note: {context}\\nOutcome:"
  labels:
    positive: " sick"
    negative: " well"
arms:
  - name: base
    kind: base
  - name: prompt
    kind: prompt
    num_virtual_tokens: 4
training:
  epochs: 1
  lr: 0.03
  batch_size: 4
  max_length: 64
evaluation:
  mode: label-score
  metrics: [accuracy, macro_f1, balanced_accuracy, positive_recall]
stats:
  baseline: base
  mcnemar: true
  bootstrap: { B: 100, seed: 7 }
output:
  dir: ${join(dir, "results")}
`,
  )
  return { dir, file }
}

const csvRows = (path: string): Array<Record<string, string>> => {
  const [header, ...lines] = readFileSync(path, "utf8").trim().split("\n")
  const names = header!.split(",")
  return lines.map((line) => Object.fromEntries(line.split(",").map((value, i) => [names[i], value])))
}

/** Recall of `label`, counted from an arm's predictions file. */
const recallOf = (preds: ReadonlyArray<Record<string, string>>, label: string): number => {
  const gold = preds.filter((p) => p.gold === label)
  return gold.filter((p) => p.pred === label).length / gold.length
}

describe("a spec using the example plugin", () => {
  it("validates only with the plugin listed (leaving its names to run), naming the choices or the missing module otherwise", () => {
    const listed = peftlab(["validate", writeSpec(["plugin"]).file]).stdout
    expect(listed).toMatch(/valid \(2 arms: base, prompt\)/)
    // validate imports no plugin: the names it registers are left for run, and said so.
    expect(listed).toMatch(/not checked here, since validate imports no plugin: data\.kind: "clinical_notes" \(line \d+:\d+\); evaluation\.metrics\[3\]: "positive_recall"/)
    const bare = writeSpec([]).file
    const without = peftlab(["validate", bare])
    expect(without.code).toBe(2)
    const lines = readFileSync(bare, "utf8").split("\n")
    const line = lines.findIndex((l) => l.includes("kind: clinical_notes"))
    const at = `line ${line + 1}:${lines[line]!.indexOf("clinical_notes") + 1}`
    const builtins = builtinRegistry().names("datasets").join(", ")
    expect(without.stderr).toContain(`data.kind: expected one of ${builtins}, got "clinical_notes" (${at})`)
    expect(without.stderr).toMatch(/evaluation\.metrics\[3\]: expected one of .*, got "positive_recall"/)
    const { dir, file } = writeSpec(["./nowhere/plugin.ts"])
    const missing = peftlab(["validate", file])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`plugins[0]: no module file at ${join(dir, "nowhere", "plugin.ts")}`)
  })

  it("runs end to end, with the plugin's metric in results.csv as counted from each arm's predictions", () => {
    const { dir, file } = writeSpec(["plugin"])
    const out = join(dir, "results")
    const run = peftlab(["run", file, "--allow-plugins", "--no-tui"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)

    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))
    expect(manifest.data.report).toMatchObject({ read: 40, kept: 40 })
    expect(manifest.data.splits).toEqual({ train: 20, val: 10, test: 10 })

    const results = csvRows(join(out, "results.csv"))
    expect(results.map((r) => r.arm)).toEqual(["base", "prompt"])
    for (const row of results) {
      const preds = csvRows(join(out, `preds_${row.arm}_test.csv`))
      expect(preds).toHaveLength(10)
      expect(Math.abs(Number(row.positive_recall) - recallOf(preds, "positive"))).toBeLessThan(1e-12)
      // Balanced accuracy: the mean of the two labels' recalls (both occur in the test split).
      const balanced = (recallOf(preds, "positive") + recallOf(preds, "negative")) / 2
      expect(Math.abs(Number(row.balanced_accuracy) - balanced)).toBeLessThan(1e-12)
    }
    // Template and verbalizers are chosen so that stories260k predicts both labels: a recall of
    // 0 or 1 everywhere would be a weak check.
    expect(results.some((r) => Number(r.positive_recall) > 0 && Number(r.positive_recall) < 1)).toBe(true)
    expect(readFileSync(join(out, "results.md"), "utf8")).toMatch(/\| balanced_accuracy \| positive_recall \|/)
  })
})
