// The Backend service a plugin's layer gives: set up once its probe passes, its device asked
// after setup, its memory sampled on demand with the process's resident set; a plugin that
// cannot run, or fails to set up or to say its device, is BackendUnavailable naming it.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Backend, backendLayer, type BackendPlugin } from "../src/index.ts"

const fake = (overrides: Partial<BackendPlugin> = {}): BackendPlugin & { readonly calls: Array<string> } => {
  const calls: Array<string> = []
  return {
    calls,
    name: "fake",
    description: "a test backend",
    probe: async () => ({ available: true }),
    setup: async () => void calls.push("setup"),
    device: async () => (calls.push("device"), { kind: "gpu", description: "test adapter (vendor, arch)", maxBindingBytes: 1024 }),
    memory: () => ({ tensors: 3, tensorBytes: 48, deviceBytes: 64 }),
    ...overrides,
  }
}

const backendOf = (plugin: BackendPlugin) => Effect.provide(Effect.gen(function* () {
  return yield* Backend
}), backendLayer(plugin))

describe("backendLayer", () => {
  it("sets the plugin up, then asks its device; memory adds the process's resident set to the plugin's tensors", async () => {
    const plugin = fake()
    const backend = await Effect.runPromise(backendOf(plugin))
    expect(plugin.calls).toEqual(["setup", "device"])
    expect(backend.name).toBe("fake")
    expect(backend.device).toEqual({ kind: "gpu", description: "test adapter (vendor, arch)", maxBindingBytes: 1024 })
    const memory = await Effect.runPromise(backend.memory)
    expect(memory).toEqual({ tensors: 3, tensorBytes: 48, deviceBytes: 64, rssBytes: expect.any(Number) })
    expect(memory.rssBytes).toBeGreaterThan(process.memoryUsage().heapUsed / 2)
  })

  it.each([
    ["an unavailable plugin, with its reason", { probe: async () => ({ available: false as const, reason: "no adapter" }) }, "no adapter"],
    ["a failed setup", { setup: async () => Promise.reject(new Error("no driver")) }, "Error: no driver"],
    ["a device it cannot name", { device: async () => Promise.reject(new Error("adapter lost")) }, "Error: adapter lost"],
  ])("refuses %s as BackendUnavailable naming --backend", async (_case, overrides, detail) => {
    const error = await Effect.runPromise(Effect.flip(backendOf(fake(overrides))))
    expect({ tag: error._tag, source: error.source, detail: error.detail }).toEqual({ tag: "BackendUnavailable", source: "--backend fake", detail })
  })
})
