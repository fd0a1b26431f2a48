import { spawnSync } from "node:child_process"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng, type BackendPlugin } from "@peftlab/core"
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu"
import { describe, expect, it } from "vitest"
import { plugin, syncReadHint } from "../src/index.ts"

const probe = await plugin.probe()
if (!probe.available) console.warn(`skipping the webgpu checks that need an adapter: ${probe.reason}`)

const pluginDir = join(import.meta.dirname, "..")

// A fresh Node process running `code` (an ES module) from this package's folder: the real Dawn,
// with the environment and the exit that the CLI would get.
const runNode = (code: string, env: Record<string, string> = {}) => {
  const started = performance.now()
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd: pluginDir,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  })
  return { ...run, seconds: (performance.now() - started) / 1000 }
}

const importPlugin = `const { plugin } = await import(${JSON.stringify(join(pluginDir, "src", "index.ts"))})`

// tanh(x w) with a scalar loss over it: a matmul forward and both of its backward matmuls.
const rng = Rng.seeded(5)
const x = Array.from({ length: 8 * 32 }, () => rng.normal())
const w = Array.from({ length: 32 * 16 }, () => rng.normal() / 4)
const matMulAndGradient = async (backend: BackendPlugin) => {
  await backend.setup()
  const [xs, ws] = [tf.tensor2d(x, [8, 32]), tf.tensor2d(w, [32, 16])]
  const product = tf.matMul(xs, ws)
  const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => tf.tanh(tf.matMul(xs, v)).square().mean())(ws)
  const result = { product: await product.data(), loss: await value.data(), grad: await grad.data() }
  tf.dispose([xs, ws, product, value, grad])
  return result
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length)
  return Array.from(a).reduce((max, v, i) => Math.max(max, Math.abs(v - (b[i] as number))), 0)
}

describe("webgpu backend plugin", () => {
  it.runIf(process.platform === "linux")("says why it is unavailable when Dawn finds no adapter", () => {
    // Driver lists naming no real file hide every installed Vulkan driver from the loader.
    const missing = "/nonexistent/vulkan_icd.json"
    const run = runNode(`${importPlugin}; console.log(JSON.stringify(await plugin.probe()))`, { VK_ICD_FILENAMES: missing, VK_DRIVER_FILES: missing })
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "")).toEqual({
      available: false,
      reason: expect.stringMatching(/^Dawn found no WebGPU adapter: it needs a Vulkan driver on Linux .*mesa-vulkan-drivers/),
    })
  })

  describe.skipIf(!probe.available)("with an adapter", () => {
    it("selects tfjs's webgpu backend", async () => {
      await plugin.setup()
      expect(tf.getBackend()).toBe("webgpu")
    })

    it("asks for the adapter's shader-f16 (and tfjs's timestamp-query) for its device, made once: a second setup keeps it and its tensors", async () => {
      await plugin.setup()
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" })
      const backend = tf.backend() as WebGPUBackend
      for (const feature of ["shader-f16", "timestamp-query"] as const) expect(backend.device.features.has(feature), feature).toBe(adapter?.features.has(feature))
      const onDevice = tf.ones([4096]).add(1)
      await plugin.setup()
      expect(tf.backend()).toBe(backend)
      expect((await onDevice.data())[4095]).toBe(2)
      onDevice.dispose()
    })

    it("multiplies matrices and differentiates as cpu does, within 1e-4", async () => {
      const reference = await matMulAndGradient(cpu)
      const got = await matMulAndGradient(plugin)
      expect(tf.getBackend()).toBe("webgpu")
      expect(maxAbsDiff(got.product, reference.product)).toBeLessThan(1e-4)
      expect(maxAbsDiff(got.loss, reference.loss)).toBeLessThan(1e-4)
      expect(maxAbsDiff(got.grad, reference.grad)).toBeLessThan(1e-4)
      expect(Math.max(...Array.from(reference.grad, Math.abs))).toBeGreaterThan(1e-3) // a gradient worth comparing
    })

    it("reads asynchronously; a synchronous read of device data says how to read instead", async () => {
      await plugin.setup()
      const onHost = tf.tensor1d([1, 2]) // not uploaded yet, so still readable synchronously
      expect(Array.from(onHost.dataSync())).toEqual([1, 2])
      const onDevice = tf.ones([4096]).add(1) // above tfjs's size for running small ops on the CPU
      expect(() => onDevice.dataSync()).toThrow(syncReadHint)
      expect(Array.from(await onDevice.data())).toEqual(new Array(4096).fill(2))
      tf.dispose([onHost, onDevice])
    })

    it("creates its device with the adapter's own binding limits, storage buffers per shader stage included", async () => {
      await plugin.setup()
      const { device } = tf.backend() as unknown as { device: GPUDevice }
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" })
      for (const name of ["maxStorageBufferBindingSize", "maxBufferSize", "maxStorageBuffersPerShaderStage"] as const) {
        expect(device.limits[name], name).toBe(adapter!.limits[name])
      }
    })

    it("says which adapter it computes on, its binding limit, and the bytes its buffers hold", async () => {
      await plugin.setup()
      const { info, limits } = (await navigator.gpu.requestAdapter({ powerPreference: "high-performance" }))!
      const device = await plugin.device()
      expect(device).toEqual({
        kind: "gpu",
        description: `${info.description || info.device} (${[info.vendor, info.architecture].filter(Boolean).join(", ")})`,
        maxBindingBytes: Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize),
      })
      const before = plugin.memory()
      const onDevice = tf.tidy(() => tf.ones([4096]).add(1)) // computed on the device: 16 KiB in a GPU buffer
      await onDevice.data()
      const after = plugin.memory()
      expect(after.tensors - before.tensors).toBe(1)
      expect(after.tensorBytes - before.tensorBytes).toBe(4096 * 4)
      expect(after.deviceBytes).toBeGreaterThanOrEqual(after.tensorBytes)
      onDevice.dispose()
    })

    it("leaves nothing that keeps the process alive once its work is done", () => {
      const run = runNode(
        `import * as tf from "@tensorflow/tfjs"; ${importPlugin}; await plugin.setup(); ` +
          `process.stdout.write(String((await tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).data())[0]))`,
      )
      expect(run.signal).toBeNull() // not killed by the timeout
      expect(run.status).toBe(0)
      expect(run.stdout.trim()).toBe("64")
    })

    it("fails the read of a result whose dispatch Dawn's validation refused, instead of returning zeros", () => {
      // 40M float32 = 160 MB in one binding, over lavapipe's (and many GPUs') 128 MiB maxStorageBufferBindingSize.
      // In a child process: after a validation error every read of the device fails.
      const run = runNode(
        `import * as tf from "@tensorflow/tfjs"; ${importPlugin}; await plugin.setup(); ` +
          `const limit = tf.backend().device.limits.maxStorageBufferBindingSize; const n = Math.floor(limit / 4) + 1024; ` +
          `const small = await tf.add(tf.ones([4]), 1).data(); ` +
          `try { await tf.add(tf.fill([n], 2), 1).data(); console.log("read", n) } catch (error) { console.log(small.join(","), error.name, error.message) }`,
      )
      expect(run.status, run.stderr).toBe(0)
      // Dawn also prints each error itself; the last line is the program's.
      expect(run.stdout.trim().split("\n").at(-1)).toMatch(/^2,2,2,2 WebGpuDeviceError WebGPU validation error, so results computed on the device are wrong: Binding size \(\d+\) of \[Buffer.*\] is larger than the maximum storage buffer binding size/)
    })
  })
})
