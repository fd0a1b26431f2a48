// A prefix-tuning folder that does not fit the model is refused by file and tensor (writing and
// reading PEFT's files is checked against PEFT itself in peft-goldens.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readPeftAdapter, savePeftAdapter } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import type { CausalLM } from "@peftlab/models"
import { createPrefixTuning, loadPrefixTuning } from "../src/index.ts"
import { loadStories260k } from "./stories260k.ts"

describe("prefix tuning in PEFT's files", () => {
  let model: CausalLM
  beforeAll(async () => {
    model = await loadStories260k()
  })
  afterAll(() => model?.dispose())

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
