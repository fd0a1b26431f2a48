// Times each WGSL kernel against the same computation composed of tfjs ops, both on tfjs's webgpu
// backend (lavapipe where there is no GPU). Not a test: run `npm run bench` in this package.
import * as tf from "@tensorflow/tfjs"
import { plugin } from "@peftlab/backend-webgpu"
import {
  flashAttention,
  flashAttentionComposed,
  loraLinear,
  loraLinearComposed,
  nf4Dequantize,
  nf4MatMul,
  nf4WeightTensors,
  rmsNorm,
  rmsNormComposed,
  shaderF16Support,
  softmaxCrossEntropy,
  softmaxCrossEntropyComposed,
  tiledMatMul,
} from "../src/index.ts"

const probe = await plugin.probe()
if (!probe.available) throw new Error(`no webgpu adapter: ${probe.reason}`)
await plugin.setup()

const iterations = Number(process.env.ITERATIONS ?? 10)

/** Milliseconds per call, after two calls that compile the pipelines and upload the inputs. */
const msPerCall = async (run: () => tf.Tensor): Promise<number> => {
  for (let i = 0; i < 2; i++) {
    const warm = run()
    await warm.data()
    warm.dispose()
  }
  const started = performance.now()
  for (let i = 0; i < iterations; i++) {
    const result = run()
    // The queue runs in order: reading the last result waits for every call before it.
    if (i === iterations - 1) await result.data()
    result.dispose()
  }
  return (performance.now() - started) / iterations
}

/** Random NF4 codes and scales for W [768, 768] in blocks of 64, with W dequantized (read before anything reaches the GPU). */
const nf4Inputs = (): tf.Tensor[] => {
  const length = 768 * 768
  const codes = Uint8Array.from({ length: length / 2 }, () => Math.floor(Math.random() * 256))
  const absmax = Float32Array.from({ length: length / 64 }, () => Math.random())
  const weight = nf4WeightTensors({ codes, absmax, length, blockSize: 64 }, [768, 768])
  return [tf.randomNormal([512, 768]), weight.codes, weight.absmax, nf4Dequantize(weight)]
}

const f16 = shaderF16Support()
if (!f16.available) console.log(`(no f16 tiledMatMul row: ${f16.reason})\n`)

const cases: ReadonlyArray<{ name: string; inputs: () => tf.Tensor[]; kernel: (t: tf.Tensor[]) => tf.Tensor; composed: (t: tf.Tensor[]) => tf.Tensor }> = [
  {
    name: "rmsNorm x [512, 2048]",
    inputs: () => [tf.randomNormal([512, 2048]), tf.randomNormal([2048])],
    kernel: ([x, w]) => rmsNorm(x!, w as tf.Tensor1D, 1e-6),
    composed: ([x, w]) => rmsNormComposed(x!, w as tf.Tensor1D, 1e-6),
  },
  {
    name: "softmaxCrossEntropy logits [256, 32000]",
    inputs: () => [tf.randomNormal([256, 32000]), tf.randomUniformInt([256], 0, 32000)],
    kernel: ([logits, targets]) => softmaxCrossEntropy(logits!, targets!),
    composed: ([logits, targets]) => softmaxCrossEntropyComposed(logits!, targets!),
  },
  ...[8, 64].map((rank) => ({
    name: `loraLinear x [512, 768], W [768, 768], rank ${rank}`,
    inputs: () => [tf.randomNormal([512, 768]), tf.randomNormal([768, 768]), tf.randomNormal([rank, 768]), tf.randomNormal([768, rank])],
    kernel: ([x, weight, loraA, loraB]: tf.Tensor[]) => loraLinear(x!, { weight: weight as tf.Tensor2D, loraA: loraA as tf.Tensor2D, loraB: loraB as tf.Tensor2D, scale: 2 }),
    composed: ([x, weight, loraA, loraB]: tf.Tensor[]) => loraLinearComposed(x!, { weight: weight as tf.Tensor2D, loraA: loraA as tf.Tensor2D, loraB: loraB as tf.Tensor2D, scale: 2 }),
  })),
  ...[false, true].map((transposeB) => ({
    name: `tiledMatMul [512, 768] x [768, 768]${transposeB ? "ᵀ" : ""}`,
    inputs: () => [tf.randomNormal([512, 768]), tf.randomNormal([768, 768])],
    kernel: ([a, b]: tf.Tensor[]) => tiledMatMul(a as tf.Tensor2D, b as tf.Tensor2D, false, transposeB),
    composed: ([a, b]: tf.Tensor[]) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, transposeB),
  })),
  ...(f16.available
    ? [
        {
          name: "tiledMatMul f16 [512, 768] x [768, 768]ᵀ",
          inputs: () => [tf.randomNormal([512, 768]), tf.randomNormal([768, 768])],
          kernel: ([a, b]: tf.Tensor[]) => tiledMatMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true, { precision: "f16" }),
          composed: ([a, b]: tf.Tensor[]) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true),
        },
      ]
    : []),
  {
    // The composed side multiplies by W already dequantized to float32: 32 bits a weight against NF4's 4.5 with its scales.
    name: "nf4MatMul x [512, 768], W [768, 768] NF4 (vs float32 W)",
    inputs: nf4Inputs,
    kernel: ([x, codes, absmax]) => nf4MatMul(x!, { codes: codes as tf.Tensor1D, absmax: absmax as tf.Tensor1D, shape: [768, 768], blockSize: 64 }),
    composed: ([x, , , weight]) => tf.matMul(x as tf.Tensor2D, weight as tf.Tensor2D, false, true),
  },
  {
    name: "flashAttention q [1, 8, 256, 64], k v [1, 2, 256, 64], causal",
    inputs: () => [tf.randomNormal([1, 8, 256, 64]), tf.randomNormal([1, 2, 256, 64]), tf.randomNormal([1, 2, 256, 64])],
    kernel: ([q, k, v]) => flashAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D),
    composed: ([q, k, v]) => flashAttentionComposed(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D),
  },
]

console.log(`| op on ${tf.getBackend()} (${iterations} calls) | WGSL kernel ms | composed tfjs ops ms | speed-up |`)
console.log("| --- | ---: | ---: | ---: |")
for (const { name, inputs, kernel, composed } of cases) {
  const tensors = inputs()
  const [fused, reference] = [await msPerCall(() => kernel(tensors)), await msPerCall(() => composed(tensors))]
  console.log(`| ${name} | ${fused.toFixed(1)} | ${reference.toFixed(1)} | ${(reference / fused).toFixed(2)}x |`)
  tf.dispose(tensors)
}
