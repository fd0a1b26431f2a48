import { createHash } from "node:crypto"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { resolveDataPath } from "../src/index.ts"
import { gitBlobId, type RepoSpec, sha256 } from "./fake-hub.ts"
import { bytes, commitOf, freshEnv, tempDir, tree, useFakeHub, withDownloadEvents } from "./fixtures.ts"

const rows = bytes(200_000, 7)
const pubmedqa: RepoSpec = {
  type: "dataset",
  id: "qiaojin/PubMedQA",
  commits: { [commitOf("pqa")]: { "pqa_labeled/train.jsonl": '{"q":"yes?"}\n' } },
  refs: { main: commitOf("pqa") },
}

const hub = useFakeHub([pubmedqa])
beforeAll(() => {
  hub().data.set("ori_pqal.json", rows)
})

const resolve = (source: string, options: Parameters<typeof resolveDataPath>[1]) => Effect.runPromise(resolveDataPath(source, options))
const failure = (source: string, options: Parameters<typeof resolveDataPath>[1]) => Effect.runPromise(Effect.flip(resolveDataPath(source, options)))
const urlHash = (url: string) => createHash("sha256").update(url).digest("hex")

describe("resolveDataPath: URLs", () => {
  it("downloads into HF_HOME/datasets/downloads/<sha256 of the URL>/<name>, then reuses it without a request", async () => {
    const env = freshEnv(hub())
    const url = `${hub().cdn}/data/ori_pqal.json`
    const { value: path, downloads: progress } = await withDownloadEvents(resolveDataPath(url, { env }))
    expect(path).toBe(join(env.HF_HOME, "datasets", "downloads", urlHash(url), "ori_pqal.json"))
    expect(readFileSync(path).equals(rows)).toBe(true)
    expect(progress.at(-1)).toEqual({ type: "download", file: "ori_pqal.json", bytes: rows.length, total: rows.length, done: true })
    hub().requests.length = 0
    expect(await resolve(url, { env })).toBe(path)
    expect(await resolve(url, { env: { ...env, HF_HUB_OFFLINE: "1" } })).toBe(path)
    expect(hub().requests).toEqual([])
  })

  it("resumes a download cut short, with a Range request", async () => {
    hub().faults.cut = { file: "ori_pqal.json", bytes: 80_000, times: 1, how: "close" }
    const path = await resolve(`${hub().cdn}/data/ori_pqal.json`, { env: freshEnv(hub()) })
    expect(readFileSync(path).equals(rows)).toBe(true)
    expect(hub().requests.map((r) => r.range)).toEqual([undefined, "bytes=80000-"])
  })

  it("checks a pinned sha256 and keeps nothing that fails it", async () => {
    const env = freshEnv(hub())
    const url = `${hub().cdn}/data/ori_pqal.json`
    expect(await resolve(url, { env, sha256: sha256(rows).toUpperCase() })).toMatch(/ori_pqal\.json$/)
    const other = freshEnv(hub())
    const error = await failure(url, { env: other, sha256: "0".repeat(64) })
    expect(error.message).toBe(`${url}: ori_pqal.json from ${url}: expected sha256 ${"0".repeat(64)}, got ${sha256(rows)}; the download was deleted: run again, and if this persists the server serves a corrupt file`)
    expect(readdirSync(join(other.HF_HOME, "datasets", "downloads", urlHash(url)))).toEqual([])
    expect((await failure(url, { env: other, sha256: "abc" })).message).toBe(`${url}: sha256: expected 64 hexadecimal digits, got "abc"`)
  })

  it("refuses an uncached URL offline, naming where it looked", async () => {
    const env = freshEnv(hub(), { HF_HUB_OFFLINE: "yes" })
    const url = `${hub().cdn}/data/ori_pqal.json`
    const error = await failure(url, { env })
    expect(error.message).toBe(
      `${url}: HF_HUB_OFFLINE is set and the file is not in the cache (looked for ${join(env.HF_HOME, "datasets", "downloads", urlHash(url), "ori_pqal.json")}). Run once without HF_HUB_OFFLINE, or download the file yourself and give its path`,
    )
    expect(hub().requests).toEqual([])
  })

  it("names a URL that does not parse, without a request", async () => {
    const url = "https://exa mple.org/ori_pqal.json"
    expect((await failure(url, { env: freshEnv(hub()) })).message).toBe(`${url}: not a valid URL; expected one such as https://host/path/file.json`)
    expect(hub().requests).toEqual([])
  })

  it("never sends HF_TOKEN to a host other than HF_ENDPOINT, and says so when that host wants credentials", async () => {
    const env = freshEnv(hub(), { HF_TOKEN: "hf_secret" })
    await resolve(`${hub().cdn}/data/ori_pqal.json`, { env })
    expect(hub().requests.map((r) => r.authorization)).toEqual([undefined])
    const missing = `${hub().cdn}/data/none.json`
    expect((await failure(missing, { env })).message).toBe(`${missing}: ${missing} was not found (HTTP 404: NotFound); check the id, the revision and the file name`)
  })
})

describe("resolveDataPath: hub repos and paths", () => {
  it("fetches hf://datasets/org/name/path into datasets--org--name, then reuses it offline", async () => {
    const env = freshEnv(hub())
    const url = "hf://datasets/qiaojin/PubMedQA/pqa_labeled/train.jsonl"
    const path = await resolve(url, { env })
    const repo = join(env.HF_HOME, "hub", "datasets--qiaojin--PubMedQA")
    const content = Buffer.from('{"q":"yes?"}\n')
    expect(path).toBe(join(repo, "snapshots", commitOf("pqa"), "pqa_labeled", "train.jsonl"))
    expect(tree(repo)).toEqual([
      `blobs/${gitBlobId(content)}`,
      "refs/main",
      `snapshots/${commitOf("pqa")}/pqa_labeled/train.jsonl -> ../../../blobs/${gitBlobId(content)}`,
    ])
    expect(readFileSync(path, "utf8")).toBe('{"q":"yes?"}\n')
    expect(hub().requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "HEAD /datasets/qiaojin/PubMedQA/resolve/main/pqa_labeled/train.jsonl",
      `GET /datasets/qiaojin/PubMedQA/resolve/${commitOf("pqa")}/pqa_labeled/train.jsonl`,
    ])
    hub().requests.length = 0
    expect(await resolve(url, { env: { ...env, HF_HUB_OFFLINE: "1" } })).toBe(path)
    expect(hub().requests).toEqual([])
  })

  it("rejects a malformed hf:// path", async () => {
    expect((await failure("hf://datasets/PubMedQA", { env: freshEnv(hub()) })).message).toBe(
      "hf://datasets/PubMedQA: expected hf://datasets/org/name[@revision]/path/in/repo",
    )
    expect((await failure("hf://datasets/a/b/../c", { env: freshEnv(hub()) })).message).toBe('hf://datasets/a/b/../c: "../c" is not a relative path inside the repository')
  })

  it("returns a local file or folder as is, and names a missing one", async () => {
    const dir = tempDir()
    const file = join(dir, "notes.csv")
    writeFileSync(file, "text,label\n")
    expect(await resolve(file, { env: freshEnv(hub()) })).toBe(file)
    expect(await resolve(dir, { env: freshEnv(hub()) })).toBe(dir)
    expect((await failure(join(dir, "none.csv"), { env: freshEnv(hub()) })).message).toBe(`${join(dir, "none.csv")}: no file or folder at ${join(dir, "none.csv")}`)
    expect(hub().requests).toEqual([])
  })
})
