import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { isInputError } from "@peftlab/core"
import { builtinRegistry, checkNamesWithoutPlugins, loadPlugins, registryFor, requirePluginOptIn, resolvePlugins } from "../src/index.ts"
import { decodeSmall, edit, positionOf, smallSpec } from "./fixtures.ts"

const repoRoot = join(import.meta.dirname, "..", "..", "..")

/** A folder holding `files` and spec.yaml, which lists `plugins`. */
const specWithPlugins = async (plugins: ReadonlyArray<string>, files: Record<string, string> = {}, extra: (text: string) => string = (t) => t) => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-plugins-"))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true })
    writeFileSync(join(dir, name), content)
  }
  const text = extra(edit(smallSpec, "seed: 3\n", `seed: 3\nplugins: [${plugins.map((p) => JSON.stringify(p)).join(", ")}]\n`))
  const file = join(dir, "spec.yaml")
  writeFileSync(file, text)
  return { dir, text, loaded: await decodeSmall(text, file) }
}

/** effect, for plugin modules written into temporary folders (which have no node_modules). */
const importEffect = `import { Effect } from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve("effect")).href)}\n`

const metricPlugin = (name: string, value: number) =>
  `${importEffect}export const register = (registry) => registry.add("metrics", { name: "${name}", compute: () => Effect.succeed(${value}) })\n`

const failure = async (loaded: Awaited<ReturnType<typeof specWithPlugins>>["loaded"]) => {
  const error = await Effect.runPromise(Effect.flip(loadPlugins(loaded, builtinRegistry())))
  expect(error._tag).toBe("PluginError")
  expect(isInputError(error)).toBe(true)
  expect(error.source).toBe(loaded.file)
  return error.detail
}

describe("loadPlugins", () => {
  it("lets each listed module register, by a named or a default export, with paths relative to the spec", async () => {
    const { loaded } = await specWithPlugins(["./one.mjs", "./lib/two.mjs"], {
      "one.mjs": metricPlugin("always_one", 1),
      "lib/two.mjs": `${importEffect}export default { register: async (registry) => registry.add("metrics", { name: "always_two", compute: () => Effect.succeed(2) }) }\n`,
    })
    const registry = builtinRegistry()
    await Effect.runPromise(loadPlugins(loaded, registry))
    expect(registry.names("metrics").slice(-2)).toStrictEqual(["always_one", "always_two"])
    expect(await Effect.runPromise(registry.get("metrics", "always_two").compute({ gold: [], pred: [], labels: [] }))).toBe(2)
  })

  it("names plugins[i], the resolved path and the line when the module does not exist", async () => {
    const { dir, text, loaded } = await specWithPlugins(["./one.mjs", "./missing.mjs"], { "one.mjs": metricPlugin("always_one", 1) })
    const { line, column } = positionOf(text, '"./missing.mjs"')
    expect(await failure(loaded)).toBe(`plugins[1]: no module file at ${join(dir, "missing.mjs")} (paths are relative to the spec file) (line ${line}:${column})`)
  })

  it("refuses a module without register, naming where it was found", async () => {
    const { dir, loaded } = await specWithPlugins(["./empty.mjs"], { "empty.mjs": "export const version = 1\n" })
    expect(await failure(loaded)).toMatch(new RegExp(`^plugins\\[0\\]: ${join(dir, "empty.mjs")} exports no register\\(registry\\) function, nor a default export with one \\(line \\d+:\\d+\\)$`))
  })

  it("resolves npm package names from the spec's folder", async () => {
    // A workspace package that is not a plugin: found through node_modules, then refused.
    const { loaded } = await specWithPlugins(["@peftlab/backend-cpu"])
    const resolved = realpathSync(join(repoRoot, "plugins", "backend-cpu", "src", "index.ts"))
    expect(await failure(loaded)).toContain(`plugins[0]: ${resolved} exports no register(registry) function`)
    const missing = await specWithPlugins(["@peftlab/no-such-plugin"])
    expect(await failure(missing.loaded)).toMatch(/^plugins\[0\]: cannot find package @peftlab\/no-such-plugin from .*; install it, or give a path/)
  })

  it("fails a plugin whose registration throws, e.g. a name that is already taken", async () => {
    const { dir, loaded } = await specWithPlugins(["./accuracy.mjs"], { "accuracy.mjs": metricPlugin("accuracy", 1) })
    expect(await failure(loaded)).toMatch(new RegExp(`^plugins\\[0\\]: ${join(dir, "accuracy.mjs")}: register failed: metrics registry: "accuracy" is already registered; pick another name`))
  })
})

describe("registryFor", () => {
  it("checks the spec's names only after its plugins have registered theirs", async () => {
    const withMetric = await specWithPlugins(["./one.mjs"], { "one.mjs": metricPlugin("always_one", 1) }, (t) => edit(t, "[accuracy, macro_f1]", "[accuracy, always_one]"))
    const registry = await Effect.runPromise(registryFor(withMetric.loaded))
    expect(registry.has("metrics", "always_one")).toBe(true)
    const without = await decodeSmall(edit(smallSpec, "[accuracy, macro_f1]", "[accuracy, always_one]"))
    const error = await Effect.runPromise(Effect.flip(registryFor(without)))
    expect(error._tag).toBe("SpecError")
    expect(error.detail).toMatch(/^evaluation\.metrics\[1\]: expected one of .*ece, got "always_one" \(line \d+:\d+\)$/)
  })
})

describe("plugins without importing them", () => {
  const marking = (dir: string) => `import { writeFileSync } from "node:fs"\nwriteFileSync(${JSON.stringify(join(dir, "imported"))}, "yes")\n${metricPlugin("always_one", 1)}`

  it("resolvePlugins finds each listed module without importing it, and names a missing one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-marker-"))
    writeFileSync(join(dir, "marker.mjs"), marking(dir))
    const { loaded } = await specWithPlugins([join(dir, "marker.mjs")])
    await Effect.runPromise(resolvePlugins(loaded))
    expect(existsSync(join(dir, "imported"))).toBe(false)
    const missing = await specWithPlugins(["./missing.mjs"])
    const error = await Effect.runPromise(Effect.flip(resolvePlugins(missing.loaded)))
    expect(error.detail).toMatch(/^plugins\[0\]: no module file at .*missing\.mjs/)
  })

  it("requirePluginOptIn refuses listed plugins unless allowed, at the plugins line", async () => {
    const { text, loaded } = await specWithPlugins(["./one.mjs"])
    const { line, column } = positionOf(text, '["./one.mjs"]')
    const error = await Effect.runPromise(Effect.flip(requirePluginOptIn(loaded, false)))
    expect(error.detail).toBe(`plugins: ["./one.mjs"] runs code from outside peftlab; pass --allow-plugins to run it (line ${line}:${column})`)
    await Effect.runPromise(requirePluginOptIn(loaded, true))
    await Effect.runPromise(requirePluginOptIn(await decodeSmall(smallSpec), false))
  })

  it("checkNamesWithoutPlugins leaves a name the built-ins lack to run only when the spec lists plugins", async () => {
    const metric = (t: string) => edit(t, "[accuracy, macro_f1]", "[accuracy, always_one]")
    const { text, loaded } = await specWithPlugins(["./one.mjs"], {}, metric)
    const { line, column } = positionOf(text, "always_one")
    expect(await Effect.runPromise(checkNamesWithoutPlugins(loaded))).toStrictEqual([`evaluation.metrics[1]: "always_one" (line ${line}:${column})`])
    const error = await Effect.runPromise(Effect.flip(checkNamesWithoutPlugins(await decodeSmall(metric(smallSpec)))))
    expect(error.detail).toMatch(/^evaluation\.metrics\[1\]: expected one of .*, got "always_one"/)
  })
})
