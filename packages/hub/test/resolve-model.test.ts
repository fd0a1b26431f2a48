import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { resolveModel } from "../src/index.ts"
import { deadEndpoint, etagOf, gitBlobId, sha256 } from "./fake-hub.ts"
import { commitOf, freshEnv, withDownloadEvents, mainCommit, read, shardA, shardB, tempDir, tinyFiles, tree, v1Commit, weights, useFakeHub } from "./fixtures.ts"

const hub = useFakeHub()

const resolve = (id: string, options: Parameters<typeof resolveModel>[1] = {}) => Effect.runPromise(resolveModel(id, options))
const requests = () => hub().requests.map((r) => `${r.host} ${r.method} ${r.path}`)

describe("resolveModel: a fresh download", () => {
  it("fetches what a model folder needs into the hub cache layout, file by file", async () => {
    const env = freshEnv(hub())
    const { value: dir, downloads: weightsProgress } = await withDownloadEvents(resolveModel("org/tiny", { env }), "model.safetensors")
    const repo = join(env.HF_HOME, "hub", "models--org--tiny")
    expect(dir).toBe(join(repo, "snapshots", mainCommit))

    const files = tinyFiles('{"model_type":"t5","d_model":8}')
    const wanted = ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json"]
    const etag = (file: string) => etagOf(file, Buffer.from(files[file]!))
    expect(etag("model.safetensors")).toBe(sha256(weights)) // LFS blobs by sha256, others by git blob id
    expect(etag("config.json")).toBe(gitBlobId(Buffer.from('{"model_type":"t5","d_model":8}')))
    expect(tree(repo)).toEqual(
      [
        ...wanted.map((file) => `blobs/${etag(file)}`),
        ...wanted.map((file) => `snapshots/${mainCommit}/${file} -> ../../blobs/${etag(file)}`),
        `.no_exist/${mainCommit}/special_tokens_map.json`,
        `.no_exist/${mainCommit}/tokenizer_config.json`,
        "refs/main",
      ].sort(),
    )
    expect(readFileSync(join(repo, "refs", "main"), "utf8")).toBe(mainCommit)
    for (const file of wanted) expect(read(join(dir, file)).equals(Buffer.from(files[file]!))).toBe(true)

    // One file list, one metadata request per file, the content from the hub or (LFS) the CDN.
    expect(requests().sort()).toEqual(
      [
        "hub GET /api/models/org/tiny/revision/main",
        ...wanted.map((file) => `hub HEAD /org/tiny/resolve/${mainCommit}/${file}`),
        ...wanted.filter((file) => file !== "model.safetensors").map((file) => `hub GET /org/tiny/resolve/${mainCommit}/${file}`),
        `cdn GET /blobs/${sha256(weights)}`,
      ].sort(),
    )
    // As `download` events through the caller's Events.
    expect(weightsProgress[0]).toEqual({ type: "download", file: "model.safetensors", bytes: 0, total: weights.length, done: false })
    expect(weightsProgress.at(-1)).toEqual({ type: "download", file: "model.safetensors", bytes: weights.length, total: weights.length, done: true })
    expect(weightsProgress.every((p, i) => i === 0 || p.bytes >= weightsProgress[i - 1]!.bytes)).toBe(true)
  })

  it("uses the cached snapshot again without a single request", async () => {
    const env = freshEnv(hub())
    const first = await resolve("org/tiny", { env })
    hub().requests.length = 0
    expect(await resolve("org/tiny", { env })).toBe(first)
    expect(hub().requests).toEqual([])
  })

  it("fetches a sharded checkpoint: the index, then every shard it names once", async () => {
    const env = freshEnv(hub())
    const dir = await resolve("org/sharded", { env })
    expect(tree(dir)).toContain("special_tokens_map.json -> ../../blobs/e69de29bb2d1d6434b8b29ae775ad8c2e48c5391") // git's empty blob
    expect(read(join(dir, "special_tokens_map.json")).length).toBe(0)
    expect(read(join(dir, "model-00001-of-00002.safetensors")).equals(shardA)).toBe(true)
    expect(read(join(dir, "model-00002-of-00002.safetensors")).equals(shardB)).toBe(true)
    expect(requests().filter((r) => r.startsWith("cdn"))).toEqual([`cdn GET /blobs/${sha256(shardA)}`, `cdn GET /blobs/${sha256(shardB)}`])
  })

  it("fetches exactly the files asked for, and names one the repo lacks", async () => {
    const env = freshEnv(hub())
    const dir = await resolve("org/tiny", { env, files: ["config.json"] })
    expect(tree(dir)).toEqual([`config.json -> ../../blobs/${gitBlobId(Buffer.from('{"model_type":"t5","d_model":8}'))}`])
    const error = await Effect.runPromise(Effect.flip(resolveModel("org/tiny", { env, files: ["vocab.txt"] })))
    expect(error.message).toMatch(/^org\/tiny: has no vocab\.txt at revision main; its files: config\.json, model\.safetensors/)
  })

  it("lets concurrent resolutions of one model share the downloads", async () => {
    const env = freshEnv(hub())
    const [a, b] = await Promise.all([resolve("org/tiny", { env }), resolve("org/tiny", { env })])
    expect(a).toBe(b)
    expect(requests().filter((r) => r.startsWith("cdn"))).toEqual([`cdn GET /blobs/${sha256(weights)}`])
  })
})

describe("resolveModel: revisions", () => {
  it("resolves a tag through refs/, shares unchanged blobs between snapshots, and takes a commit hash directly", async () => {
    const env = freshEnv(hub())
    await resolve("org/tiny", { env })
    hub().requests.length = 0
    const tagged = await resolve("org/tiny", { env, revision: "v1.0" })
    const repo = join(env.HF_HOME, "hub", "models--org--tiny")
    expect(tagged).toBe(join(repo, "snapshots", v1Commit))
    expect(readFileSync(join(repo, "refs", "v1.0"), "utf8")).toBe(v1Commit)
    expect(readFileSync(join(tagged, "config.json"), "utf8")).toBe('{"model_type":"t5","d_model":4}')
    // The weights are the same in both commits: no second download.
    expect(requests().filter((r) => r.startsWith("cdn"))).toEqual([])
    expect(tree(tagged)).toContain(`model.safetensors -> ../../blobs/${sha256(weights)}`)

    hub().requests.length = 0
    expect(await resolve("org/tiny", { env: { ...env, HF_HUB_OFFLINE: "1" }, revision: v1Commit })).toBe(tagged)
    expect(await resolve("org/tiny", { env: { ...env, HF_HUB_OFFLINE: "1" }, revision: "v1.0" })).toBe(tagged)
    expect(hub().requests).toEqual([])
  })

  it("names a revision the hub does not have", async () => {
    const error = await Effect.runPromise(Effect.flip(resolveModel("org/tiny", { env: freshEnv(hub()), revision: "v9" })))
    expect(error.message).toBe(`org/tiny: ${hub().endpoint}/api/models/org/tiny/revision/v9 was not found (HTTP 404: RevisionNotFound); check the id, the revision and the file name`)
  })
})

describe("resolveModel: a cache that huggingface_hub filled", () => {
  // Built by hand as huggingface_hub lays it out: refs/main -> snapshots/<hash>/ -> ../../blobs/.
  const pythonCache = (cacheDir: string, commit: string) => {
    const repo = join(cacheDir, "models--google--flan-t5-small")
    mkdirSync(join(repo, "blobs"), { recursive: true })
    mkdirSync(join(repo, "refs"))
    mkdirSync(join(repo, "snapshots", commit), { recursive: true })
    writeFileSync(join(repo, "refs", "main"), commit)
    for (const [file, content] of Object.entries({ "config.json": '{"model_type":"t5"}', "model.safetensors": weights })) {
      writeFileSync(join(repo, "blobs", etagOf(file, Buffer.from(content))), content)
      symlinkSync(`../../blobs/${etagOf(file, Buffer.from(content))}`, join(repo, "snapshots", commit, file))
    }
    return join(repo, "snapshots", commit)
  }

  it("uses it as is offline, from HF_HUB_CACHE, without a request", async () => {
    const cacheDir = tempDir()
    const snapshot = pythonCache(cacheDir, commitOf("python"))
    const env = { HF_HUB_CACHE: cacheDir, HF_ENDPOINT: hub().endpoint, HF_HUB_OFFLINE: "1", HOME: cacheDir }
    expect(await resolve("google/flan-t5-small", { env })).toBe(snapshot)
    expect(hub().requests).toEqual([])
  })

  it("online, asks the hub about the optional files it lacks, and serves from the cache when the hub cannot help", async () => {
    const cacheDir = tempDir()
    const snapshot = pythonCache(cacheDir, commitOf("python"))
    // The fake hub does not know this model (HTTP 404); a dead endpoint does not answer at all.
    expect(await resolve("google/flan-t5-small", { env: { HF_HUB_CACHE: cacheDir, HF_ENDPOINT: hub().endpoint, HOME: cacheDir } })).toBe(snapshot)
    expect(requests()).toEqual(["hub GET /api/models/google/flan-t5-small/revision/main"])
    const env = { HF_HUB_CACHE: cacheDir, HF_ENDPOINT: await deadEndpoint(), HOME: cacheDir }
    expect(await resolve("google/flan-t5-small", { env })).toBe(snapshot)
    // A revision that is not cached still needs the hub().
    const error = await Effect.runPromise(Effect.flip(resolveModel("google/flan-t5-small", { env, revision: "v2" })))
    expect(error.message).toMatch(/^google\/flan-t5-small: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/)
  })
})

describe("resolveModel: local paths and ids", () => {
  it("returns an existing folder as is, without a request", async () => {
    const folder = tempDir()
    expect(await resolve(folder, { env: freshEnv(hub()) })).toBe(folder)
    expect(hub().requests).toEqual([])
  })

  it("tells a missing folder, a file and a malformed id apart", async () => {
    const fail = (id: string) => Effect.runPromise(Effect.flip(resolveModel(id, { env: freshEnv(hub()) }))).then((e) => e.message)
    expect(await fail("./models/none")).toBe(`./models/none: no folder at ${join(process.cwd(), "models/none")}`)
    const file = join(tempDir(), "config.json")
    writeFileSync(file, "{}")
    expect(await fail(file)).toBe(`${file}: is a file; a model is a folder holding config.json and the safetensors weights`)
    expect(await fail("org--x/name")).toBe("org--x/name: no folder here, and not a Hugging Face id: a Hugging Face id cannot contain '--' or '..'")
    expect(await fail("org/na me")).toMatch(/not a Hugging Face id: expected a Hugging Face id like "org\/name"/)
    expect(hub().requests).toEqual([])
  })
})
