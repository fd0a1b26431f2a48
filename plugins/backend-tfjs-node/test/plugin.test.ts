import { createRequire } from "node:module"
import { availableParallelism, cpus } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { describe, expect, it } from "vitest"
import { makeTfjsNodePlugin, plugin } from "../src/index.ts"

const installed = (() => {
  try {
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-node")
    return true
  } catch {
    return false
  }
})()
if (installed) console.warn("skipping the missing-package check: @tensorflow/tfjs-node is installed here")

const standIn = (fixture: string) =>
  makeTfjsNodePlugin({
    name: "tfjs-node",
    description: "a stand-in",
    packageName: join(import.meta.dirname, "fixtures", fixture),
    installNote: "never shown",
    resolveFrom: import.meta.url,
    computesOn: "cpu",
  })

describe("tfjs-node backend plugin", () => {
  it.skipIf(installed)("says how to install @tensorflow/tfjs-node when it is missing, and refuses to set up", async () => {
    const reason = '@tensorflow/tfjs-node is not installed; install it with "npm install @tensorflow/tfjs-node" (it downloads libtensorflow)'
    expect(await plugin.probe()).toEqual({ available: false, reason })
    await expect(plugin.setup()).rejects.toThrow(reason)
  })

  it("is unavailable, with the loader's own words, when the package is installed but does not load", async () => {
    const fixture = join(import.meta.dirname, "fixtures", "unbuilt-addon.cjs")
    expect(await standIn("unbuilt-addon.cjs").probe()).toEqual({
      available: false,
      reason: `${fixture} is installed but does not load: The Node.js native addon module (tfjs_binding.node) can not be found`,
    })
  })

  it("is unavailable when the package registered its backend with another copy of tfjs", async () => {
    const probe = await standIn("other-tfjs-copy.cjs").probe()
    expect(probe).toEqual({ available: false, reason: expect.stringContaining(`install the version matching @tensorflow/tfjs ${tf.version.tfjs}`) })
  })

  it("selects the package's tensorflow backend when it loads", async () => {
    const working = standIn("working-stand-in.ts")
    try {
      expect(await working.probe()).toEqual({ available: true })
      await working.setup()
      expect(tf.getBackend()).toBe("tensorflow")
      const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).arraySync())
      expect(product).toEqual([[11]]) // 1*3 + 2*4
      // libtensorflow runs its kernels on every core of the host.
      expect(await working.device()).toEqual({ kind: "cpu", description: `${cpus()[0]!.model.trim()}, ${availableParallelism()} threads (libtensorflow)`, threads: availableParallelism() })
    } finally {
      tf.removeBackend("tensorflow")
    }
  })
})
