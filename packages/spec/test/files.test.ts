import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { pubmedqaFile, stories260kDir } from "@peftlab/quickstart-assets"
import { checkSpecFiles, type Env, loadSpec, type SpecError } from "../src/index.ts"
import { decodeOk, edit, minimalQaSpec, minimalSpec, positionOf } from "./fixtures.ts"

// A data root with pubmedqa/ori_pqal.json and a models root with stories260k/config.json.
const root = mkdtempSync(join(tmpdir(), "peftlab-spec-"))
const dataRoot = join(root, "data")
const modelsRoot = join(root, "models")
mkdirSync(join(dataRoot, "pubmedqa"), { recursive: true })
writeFileSync(join(dataRoot, "pubmedqa", "ori_pqal.json"), "{}")
mkdirSync(join(modelsRoot, "stories260k"), { recursive: true })
writeFileSync(join(modelsRoot, "stories260k", "config.json"), "{}")
mkdirSync(join(modelsRoot, "empty"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const present: Env = { PEFTLAB_DATA: dataRoot, PEFTLAB_MODELS: modelsRoot }

const checkError = async (text: string, env: Env): Promise<SpecError> =>
  Effect.runPromise(Effect.flip(checkSpecFiles(await decodeOk(text, env))))

describe("checkSpecFiles", () => {
  it("passes when the data file and the model folder with config.json exist", async () => {
    await expect(Effect.runPromise(checkSpecFiles(await decodeOk(minimalSpec, present)))).resolves.toBeUndefined()
  })

  it("leaves a Hugging Face id (org/name) that is no local folder to the run, which resolves it through the HF cache", async () => {
    const byId = edit(minimalSpec, "path: ${PEFTLAB_MODELS}/stories260k", "path: google/flan-t5-small")
    await expect(Effect.runPromise(checkSpecFiles(await decodeOk(byId, present)))).resolves.toBeUndefined()
    const notAnId = edit(minimalSpec, "path: ${PEFTLAB_MODELS}/stories260k", "path: ./models/missing/flan")
    const error = await checkError(notAnId, present)
    expect(error.issues[0]).toMatchObject({ path: "model.path", expected: "a model folder with config.json, or a Hugging Face model id (org/name)" })
  })

  it("finds evaluation.bertscore's encoder as it finds model.path: a folder with config.json, or a Hugging Face id left to the run", async () => {
    const withEncoder = (model: string) => edit(minimalQaSpec, "  metrics: [", `  bertscore:\n    model: ${model}\n    layer: 6\n  metrics: [`)
    await expect(Effect.runPromise(checkSpecFiles(await decodeOk(withEncoder("sentence-transformers/all-MiniLM-L6-v2"), present)))).resolves.toBeUndefined()
    await expect(Effect.runPromise(checkSpecFiles(await decodeOk(withEncoder("${PEFTLAB_MODELS}/stories260k"), present)))).resolves.toBeUndefined()
    const missing = withEncoder("${PEFTLAB_MODELS}/all-MiniLM-L6-v2")
    const error = await checkError(missing, present)
    expect(error.issues.map(({ path, expected, message, line }) => ({ path, expected, message, line }))).toStrictEqual([
      {
        path: "evaluation.bertscore.model",
        expected: "a model folder with config.json, or a Hugging Face model id (org/name)",
        message: `no folder at ${join(modelsRoot, "all-MiniLM-L6-v2")} (from \${PEFTLAB_MODELS}/all-MiniLM-L6-v2; PEFTLAB_MODELS is ${JSON.stringify(modelsRoot)}: set PEFTLAB_MODELS to the folder that holds all-MiniLM-L6-v2/)`,
        line: positionOf(missing, "${PEFTLAB_MODELS}/all").line,
      },
    ])
  })

  it("says which variable to set when its documented default was used", async () => {
    const error = await checkError(minimalSpec, { PEFTLAB_MODELS: modelsRoot })
    const missing = resolve("data", "pubmedqa", "ori_pqal.json")
    const { line, column } = positionOf(minimalSpec, "${PEFTLAB_DATA}")
    expect(error.detail).toBe(
      `data.path: no file at ${missing} (from \${PEFTLAB_DATA}/pubmedqa/ori_pqal.json; PEFTLAB_DATA is unset, so its default "data" was used: ` +
        `set PEFTLAB_DATA to the folder that holds pubmedqa/) (line ${line}:${column})`,
    )
    expect(error.issues[0]).toMatchObject({ path: "data.path", expected: "an existing data file", found: '"data/pubmedqa/ori_pqal.json"' })
    expect(error.source).toBe("spec.yaml")
  })

  it("shows a set variable's value when the path it gives does not exist", async () => {
    const error = await checkError(minimalSpec, { PEFTLAB_DATA: dataRoot, PEFTLAB_MODELS: root })
    expect(error.issues.map((issue) => issue.message)).toStrictEqual([
      `no folder at ${join(root, "stories260k")} (from \${PEFTLAB_MODELS}/stories260k; ` +
        `PEFTLAB_MODELS is ${JSON.stringify(root)}: set PEFTLAB_MODELS to the folder that holds stories260k/)`,
    ])
  })

  it("tells a folder from a file and requires config.json in the model folder", async () => {
    const text = edit(edit(minimalSpec, "/pubmedqa/ori_pqal.json", "/pubmedqa"), "/stories260k", "/empty")
    const error = await checkError(text, present)
    expect(error.issues.map(({ path, message, line }) => ({ path, message: message?.split(" (from")[0], line }))).toStrictEqual([
      { path: "data.path", message: `${join(dataRoot, "pubmedqa")} is a folder, not a file`, line: positionOf(text, "${PEFTLAB_DATA}").line },
      { path: "model.path", message: `no config.json in ${join(modelsRoot, "empty")}`, line: positionOf(text, "${PEFTLAB_MODELS}").line },
    ])
  })

  it("wants a folder as data.path for a data kind that reads a folder tree (medquad)", async () => {
    const folder = edit(edit(minimalSpec, "/pubmedqa/ori_pqal.json", "/pubmedqa"), "kind: pubmedqa", "kind: medquad")
    await Effect.runPromise(checkSpecFiles(await decodeOk(folder, present)))
    const file = edit(minimalSpec, "kind: pubmedqa", "kind: medquad")
    const error = await checkError(file, present)
    expect(error.issues.map(({ path, expected, message }) => ({ path, expected, message: message?.split(" (from")[0] }))).toStrictEqual([
      { path: "data.path", expected: "an existing data folder", message: `${join(dataRoot, "pubmedqa", "ori_pqal.json")} is a file, not a folder` },
    ])
  })

  it("leaves http(s):// and hf:// data to the run, which downloads or finds them in the cache", async () => {
    const urls: Array<[string, string]> = [
      ["pubmedqa", "https://raw.githubusercontent.com/pubmedqa/pubmedqa/master/data/ori_pqal.json"],
      ["pubmedqa", "hf://datasets/qiaojin/PubMedQA@refs%2Fpr%2F1/pqa_labeled/train.parquet"],
      ["medquad", "https://github.com/abachaa/MedQuAD/archive/refs/heads/master.tar.gz"],
      ["medquad", "HTTP://example.org/medquad.tgz?download=1"],
    ]
    for (const [kind, url] of urls) {
      const text = edit(edit(minimalSpec, "${PEFTLAB_DATA}/pubmedqa/ori_pqal.json", url), "kind: pubmedqa", `kind: ${kind}`)
      await expect(Effect.runPromise(checkSpecFiles(await decodeOk(text, present))), url).resolves.toBeUndefined()
    }
  })

  it("names a malformed URL, and one that gives a file where the data kind reads a folder or the reverse", async () => {
    const cases: Array<[string, string, string, string]> = [
      ["pubmedqa", "https://exa mple.org/ori_pqal.json", "an http(s):// URL or hf://datasets/org/name[@revision]/path of the data file", "not a valid URL: expected one such as https://host/path/file.json"],
      ["pubmedqa", "hf://datasets/PubMedQA", "an http(s):// URL or hf://datasets/org/name[@revision]/path of the data file", "not a valid hf:// URL: expected hf://datasets/org/name[@revision]/path/in/repo"],
      ["pubmedqa", "https://example.org/pubmedqa.tar.gz", "an http(s):// URL or hf://datasets/org/name[@revision]/path of the data file", "data.kind reads a file, but the run extracts a .tar.gz or .tgz URL into a folder"],
      ["medquad", "https://example.org/medquad.zip", "an http(s):// URL of a .tar.gz or .tgz archive of the data folder", "data.kind reads a folder: its URL must name a .tar.gz or .tgz archive, which the run extracts"],
      ["medquad", "hf://datasets/org/medquad/all.tar.gz", "an http(s):// URL of a .tar.gz or .tgz archive of the data folder", "data.kind reads a folder: its URL must name a .tar.gz or .tgz archive, which the run extracts"],
    ]
    for (const [kind, url, expected, message] of cases) {
      const text = edit(edit(minimalSpec, "${PEFTLAB_DATA}/pubmedqa/ori_pqal.json", url), "kind: pubmedqa", `kind: ${kind}`)
      const error = await checkError(text, present)
      expect(error.issues, url).toStrictEqual([{ path: "data.path", expected, found: JSON.stringify(url), message, ...positionOf(text, url) }])
    }
  })

  it("rejects a file as the model folder and explains where relative paths resolve", async () => {
    const text = edit(minimalSpec, "${PEFTLAB_MODELS}/stories260k", join(dataRoot, "pubmedqa", "ori_pqal.json"))
    const relative = edit(minimalSpec, "${PEFTLAB_DATA}/pubmedqa/ori_pqal.json", "nowhere.json")
    expect((await checkError(text, present)).issues[0]?.message).toBe(`${join(dataRoot, "pubmedqa", "ori_pqal.json")} is a file, not a folder`)
    expect((await checkError(relative, present)).issues[0]?.message).toBe(
      `no file at ${resolve("nowhere.json")} (relative paths resolve against the working directory ${process.cwd()})`,
    )
  })
})

describe("the quickstart spec", () => {
  it("names the model and data embedded in the repository, which pass the file checks with no variables set", async () => {
    const repoRoot = resolve(import.meta.dirname, "../../..")
    const loaded = await Effect.runPromise(loadSpec(join(repoRoot, "specs", "quickstart.yaml"), {}))
    const { data, model } = loaded.spec
    // Relative to the repository root, where npm start runs.
    expect(resolve(repoRoot, data.path)).toBe(pubmedqaFile)
    expect(resolve(repoRoot, model.path)).toBe(stories260kDir)
    const fromRoot = { ...loaded, spec: { ...loaded.spec, data: { ...data, path: pubmedqaFile }, model: { ...model, path: stories260kDir } } }
    await expect(Effect.runPromise(checkSpecFiles(fromRoot))).resolves.toBeUndefined()
  })
})
