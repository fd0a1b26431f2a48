// The built-in backends are optional peers of the runner: choosing one whose package is not
// installed is BackendUnavailable naming the package to install (exit 2), not a stack.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { installedBackend } from "../src/registry/backends.ts"

describe("a built-in backend entry", () => {
  it("loads its plugin from its package", async () => {
    const cpu = installedBackend("cpu", "@peftlab/backend-cpu", () => import("@peftlab/backend-cpu"))
    expect((await Effect.runPromise(cpu.load())).name).toBe("cpu")
  })

  it("is BackendUnavailable, naming the package to install, when its package is not installed", async () => {
    const missing = "@peftlab/backend-not-installed"
    const entry = installedBackend("nope", missing, () => import(missing))
    const error = await Effect.runPromise(Effect.flip(entry.load()))
    expect({ tag: error._tag, source: error.source, detail: error.detail }).toEqual({
      tag: "BackendUnavailable",
      source: "backend nope",
      detail: '@peftlab/backend-not-installed is not installed; install it with "npm install @peftlab/backend-not-installed"',
    })
  })

  it("keeps any other failure of the import a defect (a bug in the plugin)", async () => {
    const entry = installedBackend("broken", "@peftlab/backend-broken", () => Promise.reject(new TypeError("plugin bug")))
    // A typed failure would be caught here and resolve; a defect is not caught, and rejects.
    await expect(Effect.runPromise(entry.load().pipe(Effect.catch(() => Effect.succeed("typed failure"))))).rejects.toThrow("plugin bug")
  })
})
