// A host-held frozen base is shared by threads, not copied: its matrices' bytes (bf16 as stored,
// or NF4 codes and scales) are in SharedArrayBuffers; a second load given sharedMatrices of the
// first builds its matrices over that same memory and computes the same logits; and the
// description survives the structured clone a worker receives it through, still over the same
// memory (a byte written through the clone is seen by the original).
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { isFrozenMatrix, loadCausalLM, sharedMatrices, writeRandomCheckpointFiles, type CausalLM, type LoadOptions, type SharedMatrix } from "../src/index.ts"
import { tinyConfig } from "./random-checkpoint.ts"

let dir = ""

beforeAll(async () => {
  await cpu.setup()
  dir = mkdtempSync(join(tmpdir(), "peftlab-shared-"))
  await Effect.runPromise(writeRandomCheckpointFiles(dir, tinyConfig, 4, { dtype: "BF16" }))
})

const logits = async (model: CausalLM): Promise<Float32Array> => {
  const out = tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([[3, 9, 14, 27, 8]], undefined, "int32")) }))
  const values = (await out.data()) as Float32Array
  out.dispose()
  return values
}

const memoryOf = (share: SharedMatrix): ArrayBufferLike => (share.storage === "NF4" ? share.quantized.codes.buffer : share.bytes.buffer)

describe.each<[string, LoadOptions]>([
  ["bf16 as stored", { weights: "host" }],
  ["NF4 quantized while loading", { weights: "host", quantize: { type: "nf4" } }],
])("a %s base loaded over another's shared matrices (cpu)", (_, placement) => {
  it("uses the same memory for every frozen matrix and computes the same logits", async () => {
    const first = await Effect.runPromise(loadCausalLM(dir, placement))
    const shared = sharedMatrices(first.parameters)
    const frozen = [...first.parameters].filter(([, p]) => isFrozenMatrix(p)).map(([name]) => name)
    expect(frozen.length).toBeGreaterThan(0)
    expect([...shared.keys()].sort()).toEqual(frozen.sort())
    for (const share of shared.values()) expect(memoryOf(share)).toBeInstanceOf(SharedArrayBuffer)

    const second = await Effect.runPromise(loadCausalLM(dir, { ...placement, shared }))
    const again = sharedMatrices(second.parameters)
    for (const [name, share] of shared) expect(memoryOf(again.get(name)!)).toBe(memoryOf(share))
    expect(Array.from(await logits(second))).toEqual(Array.from(await logits(first)))
    first.dispose()
    second.dispose()
  })

  it("crosses a structured clone (as to a worker) still over the same memory", async () => {
    const model = await Effect.runPromise(loadCausalLM(dir, placement))
    const shared = sharedMatrices(model.parameters)
    const [name, share] = [...shared][0]!
    const cloned = structuredClone(shared).get(name)!
    const view = (s: SharedMatrix) => (s.storage === "NF4" ? s.quantized.codes : s.bytes)
    const before = view(share)[0]!
    view(cloned)[0] = before ^ 0xff
    expect(view(share)[0]).toBe(before ^ 0xff)
    view(cloned)[0] = before
    model.dispose()
  })
})
