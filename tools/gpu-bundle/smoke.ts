// A small entry to check a GPU bundle end to end: tfjs on webgpu (Dawn) runs a matMul and
// @peftlab/gpu-kernels' rmsNorm, and the results are compared with the cpu backend's; the wasm
// backend runs the matMul too, so a bundle's .wasm files are checked as well.
// Run it unbundled with `node tools/gpu-bundle/smoke.ts`, or bundled (see README.md).
import * as tf from "@tensorflow/tfjs"
import type { BackendPlugin } from "@peftlab/core"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import { rmsNorm } from "@peftlab/gpu-kernels"

const [rows, inner, cols] = [256, 384, 192]

/** Deterministic values in [-1, 1) (a 32-bit LCG), so every backend sees the same inputs. */
const values = (length: number, seed: number): Float32Array => {
  let state = seed >>> 0
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 31 - 1
  })
}

const inputs = { a: values(rows * inner, 1), b: values(inner * cols, 2), weight: values(inner, 3) }

/** matMul(a, b) and rmsNorm(a, weight) on the current backend, read back as plain arrays. */
const compute = async () => {
  const a = tf.tensor2d(inputs.a, [rows, inner])
  const b = tf.tensor2d(inputs.b, [inner, cols])
  const weight = tf.tensor1d(inputs.weight)
  const product = tf.matMul(a, b)
  const normed = rmsNorm(a, weight, 1e-6)
  const results = { matMul: await product.data(), rmsNorm: await normed.data() }
  tf.dispose([a, b, weight, product, normed])
  return results
}

const maxAbsDiff = (x: ArrayLike<number>, y: ArrayLike<number>): number =>
  Array.from(x).reduce((max, value, i) => Math.max(max, Math.abs(value - (y[i] ?? Number.NaN))), 0)

const runOn = async (plugin: BackendPlugin) => {
  const probe = await plugin.probe()
  if (!probe.available) throw new Error(`${plugin.name} is unavailable: ${probe.reason}`)
  await plugin.setup()
  return compute()
}

const gpu = await runOn(webgpu)
console.log(`backend: ${tf.getBackend()}`)
// The adapter tfjs asked for (high-performance): Dawn names the driver and device here.
const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" })
const { vendor, architecture, device, description } = adapter?.info ?? {}
console.log(`adapter: ${JSON.stringify({ vendor, architecture, device, description })}`)
const onWasm = await runOn(wasm)
const reference = await runOn(cpu)
console.log(`webgpu matMul [${rows}x${inner}]x[${inner}x${cols}] max |diff| vs cpu: ${maxAbsDiff(gpu.matMul, reference.matMul).toExponential(2)}`)
console.log(`webgpu rmsNorm [${rows}x${inner}] max |diff| vs cpu: ${maxAbsDiff(gpu.rmsNorm, reference.rmsNorm).toExponential(2)}`)
console.log(`wasm matMul max |diff| vs cpu: ${maxAbsDiff(onWasm.matMul, reference.matMul).toExponential(2)}`)
console.log(`node ${process.version} (${process.execPath})`)
