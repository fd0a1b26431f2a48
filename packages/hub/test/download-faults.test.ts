import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { Effect, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { resolveModel } from "../src/index.ts"
import { gitBlobId, sha256 } from "./fake-hub.ts"
import { freshEnv, mainCommit, read, weights, useFakeHub, withDownloadEvents } from "./fixtures.ts"

const hub = useFakeHub()

const weightsBlob = `/blobs/${sha256(weights)}`
const cdnGets = () => hub().requests.filter((r) => r.host === "cdn").map((r) => `${r.path} ${r.range ?? "whole"}`)
const blobsOf = (env: { HF_HOME: string }) => readdirSync(join(env.HF_HOME, "hub", "models--org--tiny", "blobs"))

describe("downloads that are cut short", () => {
  it("resume with a Range request when the connection closes mid-file", async () => {
    hub().faults.cut = { file: "model.safetensors", bytes: 100_000, times: 2, how: "close" }
    const env = freshEnv(hub())
    const { value: dir, downloads: progress } = await withDownloadEvents(resolveModel("org/tiny", { env }), "model.safetensors")
    expect(read(join(dir, "model.safetensors")).equals(weights)).toBe(true)
    expect(cdnGets()).toEqual([`${weightsBlob} whole`, `${weightsBlob} bytes=100000-`, `${weightsBlob} bytes=200000-`])
    // Each try reports where it starts from.
    expect(progress.filter((p) => p.bytes % 100_000 === 0).map((p) => p.bytes)).toEqual([0, 100_000, 200_000, 300_000])
    expect(blobsOf(env).filter((name) => name.endsWith(".incomplete"))).toEqual([])
  })

  it("resume a partial file left by an earlier run", async () => {
    const env = freshEnv(hub())
    const blobs = join(env.HF_HOME, "hub", "models--org--tiny", "blobs")
    mkdirSync(blobs, { recursive: true })
    writeFileSync(join(blobs, `${sha256(weights)}.incomplete`), weights.subarray(0, 123_456))
    const dir = await Effect.runPromise(resolveModel("org/tiny", { env }))
    expect(read(join(dir, "model.safetensors")).equals(weights)).toBe(true)
    expect(cdnGets()).toEqual([`${weightsBlob} bytes=123456-`])
  })

  it("resume after HF_HUB_DOWNLOAD_TIMEOUT passes without data", async () => {
    hub().faults.cut = { file: "model.safetensors", bytes: 50_000, times: 1, how: "stall" }
    const env = freshEnv(hub(), { HF_HUB_DOWNLOAD_TIMEOUT: "0.2" })
    const dir = await Effect.runPromise(resolveModel("org/tiny", { env }))
    expect(read(join(dir, "model.safetensors")).equals(weights)).toBe(true)
    expect(cdnGets()).toEqual([`${weightsBlob} whole`, `${weightsBlob} bytes=50000-`])
  })

  it("give up after five tries in a row without new bytes, keeping the partial file for later", async () => {
    hub().faults.cut = { file: "model.safetensors", bytes: 0, times: 6, how: "close" }
    const env = freshEnv(hub())
    const error = await Effect.runPromise(Effect.flip(resolveModel("org/tiny", { env })))
    expect(error.message).toMatch(/^org\/tiny: downloading model\.safetensors from http:\/\/127\.0\.0\.1:\d+\/blobs\/[0-9a-f]{64} stopped at byte 0 of 300000 \(.+\): check the network, then run again to resume it$/)
    expect(cdnGets()).toHaveLength(5)
    expect(blobsOf(env)).toContain(`${sha256(weights)}.incomplete`)
  }, 10_000)
})

describe("an interrupted resolution", () => {
  it("stops its download at once and leaves the partial file for the next run", async () => {
    hub().faults.cut = { file: "model.safetensors", bytes: 50_000, times: 1, how: "stall" }
    const env = freshEnv(hub(), { HF_HUB_DOWNLOAD_TIMEOUT: "60" })
    const fiber = Effect.runFork(resolveModel("org/tiny", { env }))
    while (!existsSync(join(env.HF_HOME, "hub", "models--org--tiny", "blobs", `${sha256(weights)}.incomplete`))) await sleep(10)
    await sleep(50)
    const started = Date.now()
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(blobsOf(env)).toContain(`${sha256(weights)}.incomplete`)
    expect(blobsOf(env)).not.toContain(sha256(weights))
  })
})

describe("downloads that do not check out", () => {
  const rejects = async (fault: "wrongSize" | "corrupt", file: string, message: RegExp) => {
    hub().faults[fault] = file
    const env = freshEnv(hub())
    const error = await Effect.runPromise(Effect.flip(resolveModel("org/tiny", { env })))
    expect(error._tag).toBe("HubError")
    expect(error.message).toMatch(message)
    expect(error.message).toMatch(/the download was deleted: run again, and if this persists the server serves a corrupt file$/)
    return existsSync(join(env.HF_HOME, "hub", "models--org--tiny", "blobs")) ? blobsOf(env) : []
  }

  it("rejects a file whose size is not the announced one, leaving no blob", async () => {
    const left = await rejects("wrongSize", "model.safetensors", /model\.safetensors from .*: expected 300001 bytes, the server sends 300000;/)
    expect(left).toEqual([gitBlobId(Buffer.from('{"model_type":"t5","d_model":8}'))]) // config.json came first
  })

  it("rejects an LFS file whose sha256 is not its etag, leaving no blob", async () => {
    const left = await rejects("corrupt", "model.safetensors", new RegExp(`model\\.safetensors from .*: expected sha256 ${sha256(weights)}, got [0-9a-f]{64};`))
    expect(left).toEqual([gitBlobId(Buffer.from('{"model_type":"t5","d_model":8}'))])
  })

  it("rejects a regular file whose git blob id is not its etag, leaving no blob", async () => {
    const config = Buffer.from('{"model_type":"t5","d_model":8}')
    const left = await rejects("corrupt", "config.json", new RegExp(`config\\.json from .*/org/tiny/resolve/${mainCommit}/config\\.json: expected git-sha1 ${gitBlobId(config)}, got [0-9a-f]{40};`))
    expect(left).toEqual([])
  })
})
