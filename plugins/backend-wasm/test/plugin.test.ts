import { mkdtempSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { describe, expect, it } from "vitest"
import { makeWasmPlugin, plugin } from "../src/index.ts"

describe("wasm backend plugin", () => {
  it("is available with the installed binaries", async () => {
    expect(await plugin.probe()).toEqual({ available: true })
  })

  it("explains that it is unavailable when the .wasm binary cannot be found", async () => {
    const empty = mkdtempSync(join(tmpdir(), "peftlab-wasm-"))
    const probe = await makeWasmPlugin(empty).probe()
    expect(probe).toEqual({ available: false, reason: `cannot find the WebAssembly binary ${join(empty, "tfjs-backend-wasm.wasm")}` })
  })

  it("selects tfjs's wasm backend and multiplies matrices correctly", async () => {
    await plugin.setup()
    expect(tf.getBackend()).toBe("wasm")
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[0.5, -1.5], [2, 0.25]]), tf.tensor2d([[4, -2], [1, 3]])).arraySync())
    // By hand: [0.5*4 - 1.5*1, -0.5*2 - 1.5*3; 2*4 + 0.25*1, -2*2 + 0.25*3], all exact in float32.
    expect(product).toEqual([[0.5, -5.5], [8.25, -3.25]])
  })

  it("computes on the host's CPU, one thread with SIMD (Node loads tfjs's single-threaded build), and counts its tensors", async () => {
    await plugin.setup()
    expect(await plugin.device()).toEqual({ kind: "cpu", description: `${cpus()[0]!.model.trim()}, 1 thread (WebAssembly SIMD, XNNPACK)`, threads: 1 })
    const before = plugin.memory()
    const held = tf.zeros([10, 10])
    expect(plugin.memory()).toEqual({ tensors: before.tensors + 1, tensorBytes: before.tensorBytes + 400 })
    held.dispose()
  })
})
