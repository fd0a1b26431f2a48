// unfreezeBase on every architecture: plain fine-tuning (over frozenBase) and a soft prompt with
// the model unfrozen save every base weight under PEFT's modules_to_save names and load back into
// a fresh wrapper (adapters-on-every-architecture.test.ts checks that they learn).
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { readPeftAdapter, restorePeftTensors, savePeftAdapter } from "@peftlab/adapters-base"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { loadModel } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { tinyConfigs, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"
import { passValues } from "./pass-output.ts"
import { unfrozenMethods } from "./unfrozen-methods.ts"

const architectures = Object.keys(tinyConfigs) as TinyArchitecture[]

// The top-level modules of each HF *ForX model, as named in its state dict, for the tiny configs
// (Llama, Mistral and T5 untied, so lm_head is a module of its own; GPT-2, Falcon and Qwen2 tied to their embeddings).
const topModules: Record<TinyArchitecture, string[]> = {
  llama: ["model", "lm_head"],
  mistral: ["model", "lm_head"],
  qwen2: ["model"],
  falcon: ["transformer"],
  gpt2: ["transformer"],
  t5: ["shared", "encoder", "decoder", "lm_head"],
  bert: ["bert"],
  "megatron-bert": ["bert"],
}

const cases = architectures.flatMap((architecture) => Object.keys(unfrozenMethods).map((wrapper) => [architecture, wrapper] as const))

const loadTiny = async (architecture: TinyArchitecture) => Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture, 2)))

describe("unfreezeBase on every architecture (cpu)", () => {
  beforeAll(() => cpu.setup())

  it.each(cases)("%s, %s: every base weight is a modules_to_save tensor under PEFT's name", async (architecture, wrapper) => {
    const model = await loadTiny(architecture)
    const adapter = unfrozenMethods[wrapper]!(model)
    const config = adapter.peftConfig()
    expect(config["modules_to_save"]).toEqual(topModules[architecture])
    const own = wrapper === "fine-tune" ? [] : ["prompt_embeddings"]
    expect([...adapter.peftTensors().keys()].sort()).toEqual([...own, ...[...model.parameters.keys()].map((name) => `base_model.model.${name}`)].sort())
    expect(adapter.peftType).toBe(wrapper === "fine-tune" ? "NONE" : "PROMPT_TUNING")
    const ownSize = wrapper === "fine-tune" ? 0 : 4 * model.dims.hidden_size
    expect(adapter.trainable.reduce((sum, v) => sum + v.size, 0)).toBe(model.parameterCount() + ownSize)
    adapter.dispose()
    model.dispose()
  })

  it.each(cases)("%s, %s: saved, then restored into a fresh wrapper, it gives the same outputs", async (architecture, wrapper) => {
    const model = await loadTiny(architecture)
    const trained = unfrozenMethods[wrapper]!(model)
    // Stand in for training: move every trainable value so that restoring has to put them back.
    tf.tidy(() => trained.trainable.forEach((v, i) => v.assign(v.add(0.01 * ((i % 5) + 1)))))
    const dir = mkdtempSync(join(tmpdir(), "peftlab-unfrozen-"))
    await Effect.runPromise(savePeftAdapter(dir, trained))
    const fresh = unfrozenMethods[wrapper]!(model)
    const before = await passValues(model, fresh)
    await Effect.runPromise(Effect.flatMap(readPeftAdapter(dir), (files) => restorePeftTensors(fresh, files)))
    const restored = await passValues(model, fresh)
    expect(restored).toEqual(await passValues(model, trained))
    expect(restored).not.toEqual(before)
    trained.dispose()
    fresh.dispose()
    model.dispose()
  })
})
