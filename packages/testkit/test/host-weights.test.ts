// A base loaded with its weight matrices held on the host (weights "host": the stored bf16 or
// f16 bytes, widened per use) computes exactly what the same checkpoint loaded as float32
// tensors computes, forward and backward, on every architecture; its backend memory is the
// norms, biases and position tables alone. Quantized while loading (quantize nf4), it computes
// exactly what quantizing the loaded float model's linears does, and holds NF4 bytes only.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { architectureFor, isFrozenMatrix, isNf4Linear, loadModel, quantizeModelLinears, type BaseModel, type LoadOptions, type SafetensorsDtype } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { tinyConfigs, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"
import { passValues, promptGradient } from "./pass-output.ts"

const architectures = Object.keys(tinyConfigs) as TinyArchitecture[]

const load = (dir: string, options: LoadOptions = {}) => Effect.runPromise(loadModel(dir, options))

/** Rank-2 parameters left as tensors on the backend. */
const rank2Tensors = (model: BaseModel): string[] => [...model.parameters].filter(([, p]) => p.shape.length === 2 && !isFrozenMatrix(p)).map(([name]) => name)

describe.each([
  ["cpu", cpu],
  ["wasm", wasm],
] as const)("host-held weights (%s)", (_, backend) => {
  beforeAll(() => backend.setup())

  it.each(architectures.flatMap((a) => (["BF16", "F16"] as SafetensorsDtype[]).map((d) => [a, d] as const)))(
    "%s in %s: outputs and prompt gradients bit for bit as float32 tensors; only small tensors on the backend",
    async (architecture, dtype) => {
      const dir = await writeTinyCheckpoint(architecture, 3, dtype)
      const float = await load(dir)
      const [want, wantGradient] = [await passValues(float), await promptGradient(float)]
      const floatBytes = tf.memory().numBytes
      float.dispose()
      const before = tf.memory().numBytes
      const tensorsBefore = tf.memory().numTensors
      const host = await load(dir, { weights: "host" })
      const matrices = [...host.parameters.values()].filter(isFrozenMatrix)
      expect(matrices.length).toBeGreaterThan(0)
      for (const matrix of matrices) expect(matrix.storage).toBe(dtype)
      // Only the tables the architecture reads as tensors (position and type embeddings) stay on the backend.
      const architectureEntry = architectureFor(host.architecture)!
      for (const name of rank2Tensors(host)) expect(architectureEntry.isBackendTable?.(name), name).toBe(true)
      expect(tf.memory().numBytes - before).toBeLessThan((floatBytes - before) / 2)
      expect(await passValues(host)).toEqual(want)
      expect(await promptGradient(host)).toEqual(wantGradient)
      host.dispose()
      expect(tf.memory().numTensors).toBe(tensorsBefore)
    },
  )

  it.each(architectures)("%s: quantized while loading, the model computes what quantizing its loaded linears computes, holding NF4 codes only", async (architecture) => {
    const dir = await writeTinyCheckpoint(architecture, 6, "BF16")
    const float = await load(dir)
    const report = await quantizeModelLinears(float)
    const want = await passValues(float)
    report.restore()
    float.dispose()
    const quantized = await load(dir, { quantize: { type: "nf4" } })
    const modules = [...quantized.linears.values()]
    expect(modules.filter(isNf4Linear).map((m) => m.name)).toEqual(report.modules)
    for (const module of modules.filter(isNf4Linear)) {
      expect(quantized.parameters.get(`${module.name}.weight`)).toMatchObject({ storage: "NF4" })
    }
    expect(await passValues(quantized)).toEqual(want)
    quantized.dispose()
  })
})
