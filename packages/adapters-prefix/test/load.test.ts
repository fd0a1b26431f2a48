import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readPeftAdapter, savePeftAdapter } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import type { CausalLM } from "@peftlab/models"
import { createPrefixTuning, loadPrefixTuning, type PrefixTuning } from "../src/index.ts"
import { loadStories260k, logitsOf, maxAbsDiff } from "./stories260k.ts"

const saveAndLoad = async (model: CausalLM, adapter: PrefixTuning) => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-prefix-"))
  await Effect.runPromise(savePeftAdapter(dir, adapter))
  return { dir, loaded: await Effect.runPromise(readPeftAdapter(dir).pipe(Effect.flatMap((files) => loadPrefixTuning(model, files)))) }
}

describe("prefix tuning in PEFT's files", () => {
  let model: CausalLM
  beforeAll(async () => {
    model = await loadStories260k()
  })
  afterAll(() => model?.dispose())

  it("saves and loads back an adapter that gives identical outputs", async () => {
    const saved = createPrefixTuning(model, { numVirtualTokens: 5 }, Rng.seeded(8))
    const { loaded } = await saveAndLoad(model, saved)
    expect(logitsOf(model, loaded)).toEqual(logitsOf(model, saved))
    expect(loaded.peftConfig()).toMatchObject({ peft_type: "PREFIX_TUNING", num_virtual_tokens: 5, token_dim: 32 })
    saved.dispose()
    loaded.dispose()
  })

  it("saves a projected adapter as its folded rows, as PEFT does, and loads it back as the plain table", async () => {
    const saved = createPrefixTuning(model, { numVirtualTokens: 3, prefixProjection: true, encoderHiddenSize: 12 }, Rng.seeded(9))
    const { loaded } = await saveAndLoad(model, saved)
    expect(loaded.projected).toBe(false)
    const [a, b] = [logitsOf(model, loaded), logitsOf(model, saved)]
    expect(Math.max(...a.map((row, i) => maxAbsDiff(row, b[i]!)))).toBeLessThan(1e-5)
    saved.dispose()
    loaded.dispose()
  })

  it("refuses files made for another model, naming the file and the tensor", async () => {
    const saved = createPrefixTuning(model, { numVirtualTokens: 5 }, Rng.seeded(8))
    const dir = mkdtempSync(join(tmpdir(), "peftlab-prefix-"))
    await Effect.runPromise(savePeftAdapter(dir, saved))
    const config = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8"))
    writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ ...config, num_virtual_tokens: 6 }))
    const load = () => Effect.runPromise(Effect.flip(readPeftAdapter(dir).pipe(Effect.flatMap((files) => loadPrefixTuning(model, files)))))
    expect((await load()).message).toBe(`${join(dir, "adapter_model.safetensors")}: tensor "prompt_embeddings": expected shape [6, 320], got [5, 320]`)
    writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ ...config, peft_type: "PROMPT_TUNING" }))
    expect((await load()).message).toBe(`${join(dir, "adapter_config.json")}: field "peft_type": expected "PREFIX_TUNING", got "PROMPT_TUNING"`)
    saved.dispose()
  })
})
