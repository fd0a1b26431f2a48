import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import { plugin } from "../src/index.ts"

const installed = (() => {
  try {
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-node-gpu")
    return true
  } catch {
    return false
  }
})()
if (installed) console.warn("skipping the missing-package check: @tensorflow/tfjs-node-gpu is installed here")

describe("tfjs-node-gpu backend plugin", () => {
  it("is named for --backend", () => {
    expect(plugin.name).toBe("tfjs-node-gpu")
  })

  it.skipIf(installed)("says how to install @tensorflow/tfjs-node-gpu when it is missing, and refuses to set up", async () => {
    const reason =
      '@tensorflow/tfjs-node-gpu is not installed; install it with "npm install @tensorflow/tfjs-node-gpu" ' +
      "(it downloads libtensorflow built with CUDA, and needs an NVIDIA GPU with CUDA and cuDNN)"
    expect(await plugin.probe()).toEqual({ available: false, reason })
    await expect(plugin.setup()).rejects.toThrow(reason)
  })
})
