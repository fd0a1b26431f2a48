import { isInputError } from "@peftlab/core"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { resolveModel } from "../src/index.ts"
import { deadEndpoint } from "./fake-hub.ts"
import { freshEnv, mainCommit, useFakeHub } from "./fixtures.ts"

const hub = useFakeHub()

const failure = (id: string, options: Parameters<typeof resolveModel>[1]) => Effect.runPromise(Effect.flip(resolveModel(id, options)))

describe("HF_HUB_OFFLINE", () => {
  it("resolves a cached model without touching the network", async () => {
    const env = freshEnv(hub())
    const dir = await Effect.runPromise(resolveModel("org/tiny", { env }))
    hub().requests.length = 0
    // Even an endpoint that cannot answer is never asked.
    const offline = { ...env, HF_HUB_OFFLINE: "true", HF_ENDPOINT: await deadEndpoint() }
    expect(await Effect.runPromise(resolveModel("org/tiny", { env: offline }))).toBe(dir)
    expect(hub().requests).toEqual([])
  })

  it("refuses a model that is not cached, naming it, the folder searched and how to download it", async () => {
    const env = freshEnv(hub(), { HF_HUB_OFFLINE: "1" })
    const error = await failure("org/tiny", { env, revision: "v1.0" })
    expect(isInputError(error)).toBe(true)
    expect(error.message).toBe(
      `org/tiny: HF_HUB_OFFLINE is set and revision v1.0 is not in the cache (cache folder searched: ${join(env.HF_HOME, "hub", "models--org--tiny")}). ` +
        "Run once without HF_HUB_OFFLINE, or download it with `hf download org/tiny --revision v1.0` (`huggingface-cli download org/tiny --revision v1.0` with older huggingface_hub), or give the path of a local model folder",
    )
    expect(hub().requests).toEqual([])
  })

  it("refuses a cached snapshot that lacks the weights, saying which", async () => {
    const env = freshEnv(hub())
    const dir = await Effect.runPromise(resolveModel("org/tiny", { env, files: ["config.json"] }))
    hub().requests.length = 0
    const error = await failure("org/tiny", { env: { ...env, HF_HUB_OFFLINE: "1" } })
    expect(error.message).toContain(`HF_HUB_OFFLINE is set and the cached snapshot ${dir} lacks model.safetensors (cache folder searched:`)
    expect(hub().requests).toEqual([])
  })
})

describe("tokens and gated models", () => {
  it("sends HF_TOKEN to HF_ENDPOINT only, never to the CDN it redirects to", async () => {
    const env = freshEnv(hub(), { HF_TOKEN: "hf_secret" })
    await Effect.runPromise(resolveModel("org/gated", { env }))
    const hubRequests = hub().requests.filter((r) => r.host === "hub")
    const cdnRequests = hub().requests.filter((r) => r.host === "cdn")
    expect(hubRequests.length).toBeGreaterThan(0)
    expect(cdnRequests.length).toBe(1)
    expect(hubRequests.every((r) => r.authorization === "Bearer hf_secret")).toBe(true)
    expect(cdnRequests.every((r) => r.authorization === undefined)).toBe(true)
  })

  it("takes the token from HUGGING_FACE_HUB_TOKEN too", async () => {
    await Effect.runPromise(resolveModel("org/gated", { env: freshEnv(hub(), { HUGGING_FACE_HUB_TOKEN: "hf_secret" }) }))
    expect(hub().requests.filter((r) => r.host === "hub").every((r) => r.authorization === "Bearer hf_secret")).toBe(true)
  })

  it("says to set HF_TOKEN and accept the terms on a 401, naming the model", async () => {
    const error = await failure("org/gated", { env: freshEnv(hub()) })
    expect(error.message).toBe(
      `org/gated: ${hub().endpoint} refused access to org/gated (HTTP 401: GatedRepo): no token was sent (HF_TOKEN is unset). ` +
        `If org/gated is gated or private, accept its terms at ${hub().endpoint}/org/gated while logged in, then set HF_TOKEN to an access token with read permission (https://huggingface.co/settings/tokens)`,
    )
  })

  it("says the token lacks access on a 403", async () => {
    const error = await failure("org/gated", { env: freshEnv(hub(), { HF_TOKEN: "hf_other" }) })
    expect(error.message).toContain("(HTTP 403: GatedRepo): the token in HF_TOKEN was sent but does not grant access.")
  })
})

describe("other failures", () => {
  it("names a repo without safetensors weights and where to look for them", async () => {
    const error = await failure("legacy-model", { env: freshEnv(hub()) })
    expect(error.message).toMatch(/^legacy-model: has no safetensors weights \(model\.safetensors or model\.safetensors\.index\.json\) at revision main, and peftlab reads only those; its files: config\.json, pytorch_model\.bin\. .*refs\/pr\/1/)
  })

  it("says when HF_ENDPOINT cannot be reached", async () => {
    const dead = await deadEndpoint()
    const error = await failure("org/tiny", { env: { ...freshEnv(hub()), HF_ENDPOINT: dead } })
    expect(error.message).toBe(`org/tiny: cannot reach ${dead} (ECONNREFUSED): check the network and HF_ENDPOINT (${dead}), or set HF_HUB_OFFLINE=1 to use the cache only`)
  })

  it("says when HF_ENDPOINT does not answer as a hub", async () => {
    const notFound = await failure("org/tiny", { env: { ...freshEnv(hub()), HF_ENDPOINT: hub().cdn } })
    expect(notFound.message).toBe(`org/tiny: ${hub().cdn}/api/models/org/tiny/revision/main was not found (HTTP 404: NotFound); check the id, the revision and the file name`)
    hub().faults.noCommitHeader = true
    const bare = await failure("org/tiny", { env: freshEnv(hub()) })
    expect(bare.message).toBe(
      `org/tiny: ${hub().endpoint}/org/tiny/resolve/${mainCommit}/config.json answered without the commit (X-Repo-Commit): check that HF_ENDPOINT (${hub().endpoint}) is a Hugging Face hub, and any proxy`,
    )
  })
})
