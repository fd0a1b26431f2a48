// A base loaded with weights "device" (what webgpu gets: each weight matrix kept on the device
// in its stored precision, or NF4 with quantize, split in row tiles where one would exceed a
// binding) computes what the host placement computes. The tile limit is forced low (500 bytes:
// every tiny matrix splits, the 64-word embedding and LM head into 7 vocabulary tiles) so the
// tiled gather, the tiled LM head (logits, and the chunked loss's dx = dlogits W) and the tiled
// linears are all exercised. On cpu the device ops take their composed fallbacks and must agree
// with the host placement to float32 rounding; on webgpu (lavapipe here) they run the WGSL
// kernels and must agree with wasm's host placement: logits, a LoRA (q, k, v) loss and its
// gradients, in bf16, f16 and as QLoRA. Nothing leaks.
import * as tf from "@tensorflow/tfjs"
import { createLora } from "@peftlab/adapters-lora"
import { causalNextTokenLosses, type Adapter } from "@peftlab/adapters-base"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import { Rng } from "@peftlab/core"
import { halfMatMulKernelName, nf4MatMulKernelName, rowGatherKernelName } from "@peftlab/gpu-kernels"
import { isDeviceMatrix, loadModel, type CausalLM, type LoadOptions, type SafetensorsDtype } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it, vi } from "vitest"
import { tinyConfigs, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"
import { passValues, promptGradient } from "./pass-output.ts"

const load = (dir: string, options: LoadOptions = {}) => Effect.runPromise(loadModel(dir, options))
const maxTileBytes = 500

/** max |got - want| / max |want|. */
const relativeError = (got: ArrayLike<number>, want: ArrayLike<number>): number => {
  expect(got.length).toBe(want.length)
  let [error, largest] = [0, 0]
  for (let i = 0; i < want.length; i++) {
    error = Math.max(error, Math.abs((got[i] as number) - (want[i] as number)))
    largest = Math.max(largest, Math.abs(want[i] as number))
  }
  return error / largest
}

interface Step {
  readonly logits: Float32Array
  readonly loss: number
  readonly gradients: ReadonlyArray<Float32Array>
}

/**
 * Logits, then one LoRA step's mean next-token loss (the chunked LM-head loss) and the gradients
 * of every LoRA variable, read asynchronously. B is moved off zero (seeded, the same on every
 * backend) so that A's gradients are not zero.
 */
const loraStep = async (model: CausalLM): Promise<Step> => {
  const logits = await passValues(model)
  const adapter: Adapter = createLora(model, { r: 4, loraAlpha: 8, loraDropout: 0, targetModules: ".*(q_proj|k_proj|v_proj|c_attn)", useRslora: false, bias: "none" }, Rng.seeded(3))
  for (const v of adapter.trainable) {
    // assign takes the data, but the tensor it was given stays counted until disposed.
    const moved = tf.tidy(() => v.add(tf.randomNormal(v.shape, 0, 0.05, "float32", 9)))
    v.assign(moved)
    moved.dispose()
  }
  const ids = tf.tensor2d([[5, 9, 2, 7, 63, 3], [4, 40, 8, 0, 6, 2]], [2, 6], "int32")
  const mask = tf.ones([2, 6], "int32") as tf.Tensor2D
  const { value, grads } = tf.variableGrads(() => causalNextTokenLosses(model, adapter, ids, mask).mean() as tf.Scalar, adapter.trainable as Array<tf.Variable>)
  const loss = (await value.data())[0] as number
  const gradients = await Promise.all(adapter.trainable.map((v) => grads[v.name]!.data() as Promise<Float32Array>))
  tf.dispose([value, ids, mask, ...Object.values(grads)])
  adapter.dispose()
  return { logits, loss, gradients }
}

/** The largest relative difference of each part of two steps. */
const stepDifferences = (got: Step, want: Step) => ({
  logits: relativeError(got.logits, want.logits),
  loss: Math.abs(got.loss - want.loss) / Math.abs(want.loss),
  gradients: Math.max(...want.gradients.map((g, i) => relativeError(got.gradients[i]!, g))),
})

const architectures = Object.keys(tinyConfigs) as TinyArchitecture[]
const causal: ReadonlyArray<TinyArchitecture> = ["llama", "qwen2", "gpt2"]

describe("device-held weights on cpu (the ops' composed fallbacks)", () => {
  beforeAll(() => cpu.setup())

  it.each(architectures.flatMap((a) => (["BF16", "F16", "F32"] as SafetensorsDtype[]).map((d) => [a, d] as const)))(
    "%s in %s, in row tiles of at most 500 bytes: outputs and prompt gradients as the host placement's, to float32 rounding",
    async (architecture, dtype) => {
      const dir = await writeTinyCheckpoint(architecture, 3, dtype)
      const host = await load(dir, { weights: "host" })
      const [want, wantGradient] = [await passValues(host), await promptGradient(host)]
      host.dispose()
      const tensorsBefore = tf.memory().numTensors
      const device = await load(dir, { weights: "device", maxTileBytes })
      const matrices = [...device.parameters.values()].filter(isDeviceMatrix)
      expect(matrices.length).toBeGreaterThan(0)
      for (const matrix of matrices) {
        expect(matrix.storage).toBe(dtype)
        if (matrix.storage !== "NF4") expect(matrix.tiles.length).toBe(Math.ceil(matrix.shape[0] / Math.floor(maxTileBytes / (matrix.shape[1] * (dtype === "F32" ? 4 : 2)))))
      }
      expect(relativeError(await passValues(device), want)).toBeLessThan(1e-5)
      expect(relativeError(await promptGradient(device), wantGradient)).toBeLessThan(1e-5)
      device.dispose()
      expect(tf.memory().numTensors).toBe(tensorsBefore)
    },
  )

  it.each(causal)("%s: a LoRA step (the chunked LM-head loss over a tiled head) as the host placement's, in bf16 and as QLoRA", async (architecture) => {
    const dir = await writeTinyCheckpoint(architecture, 5, "BF16")
    for (const quantize of [undefined, { type: "nf4" as const }]) {
      const host = await load(dir, { weights: "host", ...(quantize && { quantize }) })
      const want = await loraStep(host as CausalLM)
      host.dispose()
      const tensorsBefore = tf.memory().numTensors
      const device = await load(dir, { weights: "device", maxTileBytes, ...(quantize && { quantize }) })
      const differences = stepDifferences(await loraStep(device as CausalLM), want)
      expect(differences.logits).toBeLessThan(1e-5)
      expect(differences.loss).toBeLessThan(1e-6)
      expect(differences.gradients).toBeLessThan(1e-5)
      device.dispose()
      expect(tf.memory().numTensors).toBe(tensorsBefore)
    }
  })
})

const probe = await webgpu.probe()
if (!probe.available) console.warn(`skipping the webgpu device-weights checks: ${probe.reason}`)

/** Runs `use`, recording which of the named webgpu kernels ran. */
const kernelsRun = async <A>(names: ReadonlyArray<string>, use: () => Promise<A>): Promise<{ result: A; ran: Array<string> }> => {
  const spies = names.map((name) => [name, vi.spyOn(tf.getKernel(name, "webgpu")!, "kernelFunc")] as const)
  try {
    const result = await use()
    return { result, ran: spies.filter(([, spy]) => spy.mock.calls.length > 0).map(([name]) => name) }
  } finally {
    for (const [, spy] of spies) spy.mockRestore()
  }
}

// The tolerances, relative to the largest magnitude: the two backends sum in different orders in
// float32. Measured on lavapipe (printed): logits up to 6e-7, losses 1e-7, gradients 2e-6.
const tolerance = { logits: 1e-5, loss: 1e-6, gradients: 2e-5 }

describe.skipIf(!probe.available)("device-held weights on webgpu against wasm's host placement", () => {
  const cases = causal.flatMap((architecture) =>
    [
      ["BF16", undefined, maxTileBytes],
      ["F16", undefined, maxTileBytes],
      ["BF16", undefined, undefined],
      ["BF16", { type: "nf4" as const }, maxTileBytes],
    ].map(([dtype, quantize, tiles]) => [architecture, dtype as SafetensorsDtype, quantize as LoadOptions["quantize"], tiles as number | undefined] as const),
  )

  it.each(cases)("%s in %s (quantize %o, tiles of at most %s bytes): logits, LoRA loss and gradients as wasm's", async (architecture, dtype, quantize, tiles) => {
    const dir = await writeTinyCheckpoint(architecture, 5, dtype)
    await wasm.setup()
    const host = await load(dir, { weights: "host", ...(quantize && { quantize }) })
    const want = await loraStep(host as CausalLM)
    host.dispose()
    await webgpu.setup()
    const tensorsBefore = tf.memory().numTensors
    const device = await load(dir, { weights: "device", ...(quantize && { quantize }), ...(tiles !== undefined && { maxTileBytes: tiles }) })
    const kernels = [halfMatMulKernelName, rowGatherKernelName, nf4MatMulKernelName]
    const { result: got, ran } = await kernelsRun(kernels, () => loraStep(device as CausalLM))
    // The 16-bit weights are read by the WGSL kernels, NF4 ones by the NF4 kernel.
    expect(ran).toEqual(quantize ? kernels : kernels.slice(0, 2))
    const differences = stepDifferences(got, want)
    console.log(`${architecture} ${dtype}${quantize ? " NF4" : ""} tiles ${tiles ?? "device limit"}: webgpu vs wasm relative differences ${JSON.stringify(differences)}`)
    expect(differences.logits).toBeLessThan(tolerance.logits)
    expect(differences.loss).toBeLessThan(tolerance.loss)
    expect(differences.gradients).toBeLessThan(tolerance.gradients)
    device.dispose()
    expect(tf.memory().numTensors).toBe(tensorsBefore)
  })
})
