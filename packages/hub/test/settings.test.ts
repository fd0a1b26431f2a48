import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { hubSettings } from "../src/index.ts"
import { removeTempDirs, tempDir } from "./fixtures.ts"

afterAll(removeTempDirs)

const settings = (env: Record<string, string>) => Effect.runPromise(hubSettings({ HOME: "/home/u", ...env }))

describe("hubSettings", () => {
  it("defaults to huggingface_hub's: ~/.cache/huggingface, huggingface.co, online, 10 s timeouts", async () => {
    expect(await settings({})).toEqual({
      cacheDir: "/home/u/.cache/huggingface/hub",
      downloadsDir: "/home/u/.cache/huggingface/datasets/downloads",
      endpoint: "https://huggingface.co",
      token: undefined,
      offline: false,
      etagTimeoutMs: 10_000,
      downloadTimeoutMs: 10_000,
    })
  })

  it("puts the cache under XDG_CACHE_HOME, then HF_HOME (with ~ expanded), then HF_HUB_CACHE", async () => {
    expect((await settings({ XDG_CACHE_HOME: "/xdg" })).cacheDir).toBe("/xdg/huggingface/hub")
    const home = await settings({ XDG_CACHE_HOME: "/xdg", HF_HOME: "~/hf" })
    expect([home.cacheDir, home.downloadsDir]).toEqual(["/home/u/hf/hub", "/home/u/hf/datasets/downloads"])
    expect((await settings({ HF_HOME: "/hf", HUGGINGFACE_HUB_CACHE: "/legacy" })).cacheDir).toBe("/legacy")
    expect((await settings({ HF_HOME: "/hf", HUGGINGFACE_HUB_CACHE: "/legacy", HF_HUB_CACHE: "/cache" })).cacheDir).toBe("/cache")
    expect((await settings({ HF_HOME: "/hf", HF_DATASETS_CACHE: "/ds" })).downloadsDir).toBe("/ds/downloads")
    expect((await settings({ HF_HUB_CACHE: "" })).cacheDir).toBe("/home/u/.cache/huggingface/hub") // empty is unset
  })

  it("reads HF_ENDPOINT without its trailing slash, and refuses one that is no http(s) URL by name", async () => {
    expect((await settings({ HF_ENDPOINT: "https://hf-mirror.com/" })).endpoint).toBe("https://hf-mirror.com")
    for (const endpoint of ["hf-mirror.com", "ftp://hf-mirror.com"]) {
      const error = await Effect.runPromise(Effect.flip(hubSettings({ HF_ENDPOINT: endpoint })))
      expect(error.message).toBe(`HF_ENDPOINT: expected an http(s) URL such as https://huggingface.co, got "${endpoint}"`)
    }
  })

  it("takes HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the token file of `hf auth login`", async () => {
    const home = tempDir()
    writeFileSync(join(home, "token"), "hf_stored\n")
    expect((await settings({ HF_HOME: home })).token).toBe("hf_stored")
    expect((await settings({ HF_HOME: home, HUGGING_FACE_HUB_TOKEN: "hf_legacy" })).token).toBe("hf_legacy")
    expect((await settings({ HF_HOME: home, HUGGING_FACE_HUB_TOKEN: "hf_legacy", HF_TOKEN: "hf_env" })).token).toBe("hf_env")
    writeFileSync(join(home, "elsewhere"), "hf_path")
    expect((await settings({ HF_HOME: home, HF_TOKEN_PATH: join(home, "elsewhere") })).token).toBe("hf_path")
  })

  it("is offline for 1, on, yes and true in any case, and online otherwise", async () => {
    for (const value of ["1", "ON", "yes", "True"]) expect((await settings({ HF_HUB_OFFLINE: value })).offline).toBe(true)
    for (const value of ["0", "false", "no", ""]) expect((await settings({ HF_HUB_OFFLINE: value })).offline).toBe(false)
  })

  it("reads timeouts in seconds and rejects anything but a positive number", async () => {
    expect((await settings({ HF_HUB_ETAG_TIMEOUT: "2.5", HF_HUB_DOWNLOAD_TIMEOUT: "60" })).etagTimeoutMs).toBe(2500)
    expect((await settings({ HF_HUB_DOWNLOAD_TIMEOUT: "60" })).downloadTimeoutMs).toBe(60_000)
    const error = await Effect.runPromise(Effect.flip(hubSettings({ HF_HUB_DOWNLOAD_TIMEOUT: "soon" })))
    expect(error.message).toBe('HF_HUB_DOWNLOAD_TIMEOUT: expected a positive number of seconds, got "soon"')
  })
})
