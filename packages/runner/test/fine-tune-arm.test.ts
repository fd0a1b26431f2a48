// `fine-tune` and unfrozen `prompt` arms end to end on stories260k: every base weight trains on a
// copy, the adapter folder holds them as PEFT's modules_to_save, and the model on disk is never touched.
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { readPeftAdapter } from "@peftlab/adapters-base"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events } from "@peftlab/core"
import { readSafetensors } from "@peftlab/models"
import { pubmedqaFile, stories260kDir } from "@peftlab/quickstart-assets"
import { adapterFolder, runExperiment, specRegistryLayer } from "../src/index.ts"
import { decodeSmall, edit, smallSpec } from "./fixtures.ts"

const silentEvents = Layer.succeed(Events, { emit: () => Effect.void })

const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex")

describe("arms that unfreeze the base, on stories260k", () => {
  it("train every base weight, save them under base_model.model.* with modules_to_save, and leave the model files as they were", async () => {
    const modelDir = stories260kDir
    const weights = join(modelDir, "model.safetensors")
    const before = sha256(weights)
    let text = edit(smallSpec, "path: data.json", `path: ${pubmedqaFile}\n  limit: { train: 8, val: 4, test: 6 }`)
    text = edit(text, "path: model", `path: ${modelDir}`)
    text = edit(text, "    kind: base\n", "    kind: base\n  - name: full\n    kind: fine-tune\n  - name: soft\n    kind: prompt\n    num_virtual_tokens: 2\n    unfreeze_base: true\n")
    text = edit(edit(text, "lr: 0.1", "lr: 0.001"), "max_length: 64", "max_length: 160")
    const outDir = mkdtempSync(join(tmpdir(), "peftlab-fine-tune-"))
    const loaded = await decodeSmall(text)
    await Effect.runPromise(runExperiment(loaded, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), silentEvents, specRegistryLayer(loaded)))))

    const checkpoint = await Effect.runPromise(readSafetensors(weights))
    const saved = [...checkpoint.keys()].map((name) => `base_model.model.${name}`)
    for (const [arm, own] of [["full", []], ["soft", ["prompt_embeddings"]]] as const) {
      const files = await Effect.runPromise(readPeftAdapter(adapterFolder(outDir, arm)))
      // stories260k is a LlamaForCausalLM with its head tied to the embeddings: one top-level module.
      expect(files.config["modules_to_save"], arm).toEqual(["model"])
      expect([...files.tensors.keys()].sort(), arm).toEqual([...own, ...saved].sort())
      // Trained: some saved weight differs from the checkpoint's.
      const changed = [...checkpoint].filter(([name, tensor]) => files.tensors.get(`base_model.model.${name}`)!.data.some((v, i) => v !== tensor.data[i]))
      expect(changed.length, arm).toBeGreaterThan(0)
    }
    expect(sha256(weights)).toBe(before)
  })
})
