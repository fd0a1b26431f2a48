// The 4-bit vs 8-bit question as one run: a LoRA arm over an NF4 base (QLoRA) and one over an int8
// base (LLM.int8()) train end to end on stories260k, each logs what its base holds, and both
// arms' results and adapters are written. The bytes logged are checked against the model's shapes.
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events, type RunEvent } from "@peftlab/core"
import { loadModel } from "@peftlab/models"
import { pubmedqaFile, stories260kDir } from "@peftlab/quickstart-assets"
import { adapterFolder, armResultFile, runExperiment, specRegistryLayer } from "../src/index.ts"
import { decodeSmall, edit, smallSpec } from "./fixtures.ts"

const loraOver = (quantize: "nf4" | "int8") => `  - name: lora-${quantize}\n    kind: lora\n    r: 2\n    lora_alpha: 4\n    target_modules: [q_proj, v_proj]\n    quantize: ${quantize}\n`

/** float32 bytes and int8 bytes (a byte per weight and a float32 scale per row) of every linear module but the LM head. */
const expectedBytes = async () => {
  const model = await Effect.runPromise(loadModel(stories260kDir))
  const shapes = [...model.linears].filter(([name]) => name !== "lm_head").map(([, module]) => module.shape)
  model.dispose()
  return { modules: shapes.length, float: shapes.reduce((sum, [o, i]) => sum + 4 * o * i, 0), int8: shapes.reduce((sum, [o, i]) => sum + o * i + 4 * o, 0) }
}

describe("QLoRA and an 8-bit base in one spec, on stories260k", () => {
  it("trains a LoRA arm over each, logs each base's kind and bytes, and writes both arms' results", async () => {
    let text = edit(smallSpec, "path: data.json", `path: ${pubmedqaFile}\n  limit: { train: 6, val: 2, test: 4 }`)
    text = edit(text, "path: model", `path: ${stories260kDir}`)
    text = edit(text, "    kind: base\n", `    kind: base\n${loraOver("nf4")}${loraOver("int8")}`)
    text = edit(edit(text, "lr: 0.1", "lr: 0.001"), "max_length: 64", "max_length: 160")
    const messages: Array<string> = []
    const collected = Layer.succeed(Events, { emit: (event: RunEvent) => Effect.sync(() => void (event.type === "log" && messages.push(event.message))) })
    const outDir = mkdtempSync(join(tmpdir(), "peftlab-quantized-arms-"))
    const loaded = await decodeSmall(text)
    await Effect.runPromise(runExperiment(loaded, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), collected, specRegistryLayer(loaded)))))

    const { modules, float, int8 } = await expectedBytes()
    const int8Line = messages.find((m) => m.startsWith("lora-int8: "))
    expect(int8Line).toContain(`${modules} linear modules in int8 (LLM.int8()), ${float} -> ${int8} bytes`)
    // A byte per weight plus a scale per row: just under a quarter of float32.
    expect(int8 / float).toBeGreaterThan(0.25)
    expect(int8 / float).toBeLessThan(0.27)
    expect(messages.find((m) => m.startsWith("lora-nf4: "))).toMatch(new RegExp(`^lora-nf4: ${modules} linear modules in NF4, ${float} -> \\d+ bytes`))
    for (const arm of ["base", "lora-nf4", "lora-int8"]) expect(existsSync(armResultFile(outDir, arm)), arm).toBe(true)
    for (const arm of ["lora-nf4", "lora-int8"]) expect(existsSync(join(adapterFolder(outDir, arm), "adapter_model.safetensors")), arm).toBe(true)
  })
})
