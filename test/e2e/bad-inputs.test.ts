// Bad input a user gives, one case per failure class of issue 17's probe: each is exit 2 with
// a message naming the file, field or line and what was expected, never a stack trace, and
// nothing written. Kept so that none of them can come back.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { tarGz } from "../../packages/hub/test/tar-writer.ts"
import { reportManifest, writeJson } from "../../packages/runner/test/saved-folder.ts"
import { peftlab, quickstartVariant, repoRoot } from "./cli.ts"

const small = ["data.limit.train=4", "data.limit.val=4", "data.limit.test=4", "training.epochs=1"].flatMap((value) => ["--set", value])

/** Exit 2, one `error:` naming `source`, no stack frames. */
const refused = (result: { code: number | null; stdout: string; stderr: string }, message: string | RegExp) => {
  expect(result.stderr).not.toMatch(/\n\s+at /)
  expect(result.stderr).toMatch(message)
  expect(result.code).toBe(2)
}

const stories260k = join(repoRoot, "packages", "quickstart-assets", "models", "stories260k")
const pubmedqa = join(repoRoot, "packages", "quickstart-assets", "data", "pubmedqa", "ori_pqal.json")

/** A copy of stories260k's files that `keep` keeps, in a folder named `name`. */
const modelCopy = (name: string, keep: (file: string) => boolean = () => true): string => {
  const model = join(mkdtempSync(join(tmpdir(), "peftlab-model-")), name)
  mkdirSync(model)
  for (const file of readdirSync(stories260k).filter(keep)) cpSync(join(stories260k, file), join(model, file))
  return model
}

describe("bad input: exit 2, named, nothing written", () => {
  const { file, dir } = quickstartVariant((spec) => {
    spec.arms = spec.arms.filter((arm: { name: string }) => ["base", "lora"].includes(arm.name))
  })
  const run = (out: string, ...args: Array<string>) => peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm", ...small, ...args])

  it("a YAML alias bomb", () => {
    const bomb = join(dir, "bomb.yaml")
    const level = (name: string, of: string) => `${name}: &${name} [${Array(9).fill(`*${of}`).join(", ")}]\n`
    writeFileSync(bomb, `a: &a [x, x, x, x, x, x, x, x, x]\n${level("b", "a")}${level("c", "b")}${level("d", "c")}${level("e", "d")}${level("f", "e")}`)
    refused(peftlab(["validate", bomb]), `${bomb}: YAML aliases expand too far`)
  })

  it("--set into a list past its end", () => {
    refused(peftlab(["validate", file, "--set", "arms.7.r=4"]), "--set arms.7.r: arms is a list of 2 (indexes 0 to 1), which has no \"7\"")
  })

  it("two labels with the same verbalizer", () => {
    refused(peftlab(["validate", file, "--set", 'task.labels.no=" yes"']), /task\.labels\.no: expected a verbalizer no other label has \(label "yes" is also " yes"\)/)
  })

  it("a model folder without safetensors weights", () => {
    const model = modelCopy("no-weights", (name) => name.endsWith(".json"))
    const out = join(dir, "no-weights")
    refused(run(out, "--set", `model.path=${model}`), `${model}: no model.safetensors or model.safetensors.index.json`)
    expect(existsSync(out)).toBe(false)
  })

  it("target_modules that match no module, before any arm runs", () => {
    const out = join(dir, "no-modules")
    refused(run(out, "--set", "arms.1.target_modules=[foo_proj]"), /arms\[1\]\.target_modules: \[foo_proj\] matches no linear module/)
    expect(existsSync(out)).toBe(false)
  })

  it("an example past data.max_text_chars", () => {
    const out = join(dir, "long-text")
    refused(run(out, "--set", "data.max_text_chars=100"), /ori_pqal\.json: example \d+: its \w+ holds \d+ characters, past data\.max_text_chars \(100\)/)
    expect(existsSync(out)).toBe(false)
  })

  it("a spec that is not UTF-8", () => {
    const latin1 = join(dir, "latin1.yaml")
    writeFileSync(latin1, Buffer.concat([readFileSync(file), Buffer.from("# caf\xe9\n", "latin1")]))
    const line = readFileSync(file, "utf8").split("\n").length
    refused(peftlab(["validate", latin1]), `${latin1}: expected UTF-8 text, found bytes that are not UTF-8; save the spec as UTF-8 (line ${line}:1)`)
  })

  it("a data file that is not UTF-8", () => {
    const source = readFileSync(join(repoRoot, "packages", "quickstart-assets", "data", "pubmedqa", "ori_pqal.json"))
    const at = source.indexOf("lace plant")
    const data = join(dir, "latin1.json")
    writeFileSync(data, Buffer.concat([source.subarray(0, at), Buffer.from([0xe9]), source.subarray(at)]))
    const out = join(dir, "latin1-data")
    refused(run(out, "--set", `data.path=${data}`), `${data}: line 3: expected UTF-8 text, found bytes that are not UTF-8`)
    expect(existsSync(out)).toBe(false)
  })

  it("cleaning that drops every row", () => {
    const out = join(dir, "all-dropped")
    refused(run(out, "--set", "data.cleaning.drop_labels=[yes, no, maybe]"), /ori_pqal\.json: no examples are left after cleaning: 1000 read, dropped as .*; check data\.fields and data\.cleaning/)
    expect(existsSync(out)).toBe(false)
  })

  it("an HF_ENDPOINT that is no URL", () => {
    const out = join(dir, "bad-endpoint")
    refused(peftlab(["run", file, "--out", out, "--no-tui", "--set", "model.path=org/model"], { ...process.env, HF_ENDPOINT: "hf-mirror" }), 'HF_ENDPOINT: expected an http(s) URL such as https://huggingface.co, got "hf-mirror"')
    expect(existsSync(out)).toBe(false)
  })

  it("a flag given twice", () => {
    const out = join(dir, "twice")
    refused(peftlab(["run", file, "--out", out, "--out", join(dir, "other")]), `--out is given 2 times ("${out}", "${join(dir, "other")}"); give it once`)
    expect(existsSync(out)).toBe(false)
  })

  it("safetensors with bytes no tensor owns", () => {
    const model = modelCopy("padded")
    const weights = join(model, "model.safetensors")
    writeFileSync(weights, Buffer.concat([readFileSync(weights), Buffer.alloc(16)]))
    refused(run(join(dir, "padded"), "--set", `model.path=${model}`), new RegExp(`${weights}: bytes \\d+ to \\d+ of the data section belong to no tensor`))
  })

  it("data rows whose label task.labels does not list, kept by data.cleaning", () => {
    const out = join(dir, "unlisted-label")
    refused(run(out, "--set", "data.cleaning.drop_labels=[]"), /ori_pqal\.json: example \d+ has label "maybe", which task\.labels does not list \(yes, no\); .*data\.cleaning\.drop_labels/)
    expect(existsSync(out)).toBe(false)
  })

  it("a model folder with only a PyTorch pickle", () => {
    const model = modelCopy("pickle-only", (name) => name.endsWith(".json"))
    writeFileSync(join(model, "pytorch_model.bin"), "never unpickled")
    const out = join(dir, "pickle-only")
    refused(
      run(out, "--set", `model.path=${model}`),
      `${model}: has pytorch_model.bin (PyTorch pickle) but no model.safetensors or model.safetensors.index.json: peftlab reads only safetensors weights and never opens a pickle (loading one runs its code)`,
    )
    expect(existsSync(out)).toBe(false)
  })

  it("an --out that is a file, or passes through one", () => {
    const taken = join(dir, "a-file")
    writeFileSync(taken, "kept")
    for (const out of [taken, join(taken, "results")]) refused(run(out), `${out}: expected a folder for the results, but a file is there; pass another --out`)
    expect(readFileSync(taken, "utf8")).toBe("kept")
  })

  it("peftlab report on a folder whose preds file is cut short", () => {
    const folder = mkdtempSync(join(tmpdir(), "peftlab-report-"))
    const predictions = [{ id: "a", gold: "yes", pred: "no", score: 0.6 }, { id: "b", gold: "no", pred: "no", score: 0.9 }]
    const result = { arm: "base", kind: "base", n: 2, accuracy: 0.5, macroF1: 0.33, perClassF1: { yes: 0, no: 0.67 }, latencyMeanMs: 1, latencyP95Ms: 2, trainableParams: 0 }
    writeJson(join(folder, "manifest.json"), reportManifest)
    writeJson(join(folder, "arms", "base", "result.json"), { fingerprint: "f1", result, predictions, confusion: [[0, 1], [0, 1]] })
    const preds = join(folder, "preds_base_test.csv")
    writeFileSync(preds, "id,gold,pred,score\na,yes,no,0.6\nb,no,n")
    refused(peftlab(["report", folder]), `${preds}: line 3: the last row ends without a line break; it was cut short or edited`)
    writeFileSync(preds, "id,gold,pred,score\na,yes,no,0.6\n")
    refused(peftlab(["report", folder]), `${preds}: 1 rows, but result.json counts 2 test examples`)
    expect(existsSync(join(folder, "results.csv"))).toBe(false)
  })

  it("a local .tar.gz data.path that expands past data.max_archive_bytes", () => {
    const archive = join(dir, "pubmedqa.tar.gz")
    writeFileSync(archive, tarGz([{ type: "0", name: "ori_pqal.json", content: readFileSync(pubmedqa) }]))
    const out = join(dir, "archive-bomb")
    const env = { ...process.env, HF_HOME: mkdtempSync(join(tmpdir(), "peftlab-hf-")) }
    const args = ["run", file, "--out", out, "--no-tui", ...small, "--set", `data.path=${archive}`, "--set", "data.max_archive_bytes=4096"]
    refused(peftlab(args, env), `${archive}: the archive expands past data.max_archive_bytes (4096 bytes) at "ori_pqal.json"; raise data.max_archive_bytes if you trust it`)
    expect(existsSync(out)).toBe(false)
  })

  it("a tokenizer.json of a model type the tokenizer library does not implement", () => {
    const model = modelCopy("word-level")
    const tokenizer = join(model, "tokenizer.json")
    const json = JSON.parse(readFileSync(tokenizer, "utf8"))
    writeFileSync(tokenizer, JSON.stringify({ ...json, model: { ...json.model, type: "WordLevel" } }))
    refused(run(join(dir, "word-level"), "--set", `model.path=${model}`), new RegExp(`${tokenizer}: .*"BPE" \\| "WordPiece" \\| "Unigram"`))
  })
})
