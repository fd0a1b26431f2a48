import { describe, expect, it } from "vitest"
import { isInputError, makeRegistry, RegistryError } from "../src/index.ts"

interface Metric {
  readonly name: string
  readonly compute: (xs: ReadonlyArray<number>) => number
}
interface Loader {
  readonly name: string
  readonly extension: string
}

const fresh = () => makeRegistry<{ metrics: Metric; loaders: Loader }>(["metrics", "loaders"])
const mean: Metric = { name: "mean", compute: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length }
const max: Metric = { name: "max", compute: (xs) => Math.max(...xs) }

const thrown = (f: () => unknown): RegistryError => {
  try {
    f()
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError)
    return error as RegistryError
  }
  throw new Error("expected a RegistryError")
}

describe("makeRegistry", () => {
  it("keeps each category's entries by name, in registration order", () => {
    const registry = fresh()
    registry.add("metrics", mean)
    registry.add("metrics", max)
    registry.add("loaders", { name: "csv", extension: ".csv" })
    expect(registry.names("metrics")).toStrictEqual(["mean", "max"])
    expect(registry.entries("metrics")).toStrictEqual([mean, max])
    expect(registry.get("metrics", "max").compute([1, 5, 2])).toBe(5)
    expect(registry.get("loaders", "csv").extension).toBe(".csv")
    expect(registry.has("metrics", "mean")).toBe(true)
    expect(registry.has("loaders", "mean")).toBe(false)
    expect(registry.categories).toStrictEqual(["metrics", "loaders"])
  })

  it("refuses a name registered twice in one category, and keeps the first entry", () => {
    const registry = fresh()
    registry.add("metrics", mean)
    const error = thrown(() => registry.add("metrics", { name: "mean", compute: () => 0 }))
    expect(error.message).toBe('metrics registry: "mean" is already registered; pick another name')
    expect(isInputError(error)).toBe(true)
    expect(registry.get("metrics", "mean").compute([2, 4])).toBe(3)
    // The same name in another category is another entry.
    registry.add("loaders", { name: "mean", extension: ".txt" })
    expect(registry.names("loaders")).toStrictEqual(["mean"])
  })

  it("names the registered entries when asked for one that is missing", () => {
    const registry = fresh()
    registry.add("metrics", mean)
    registry.add("metrics", max)
    expect(thrown(() => registry.get("metrics", "median")).message).toBe('metrics registry: nothing registered as "median"; registered: "mean", "max"')
    expect(thrown(() => registry.get("loaders", "csv")).message).toBe('loaders registry: nothing registered as "csv"; registered: none')
  })

  it("rejects, at run time, an unknown category and an entry without a name", () => {
    const registry = fresh()
    // What an untyped (JavaScript) plugin could pass.
    const loose = registry as unknown as { add: (category: string, entry: unknown) => void; names: (category: string) => unknown }
    expect(thrown(() => loose.add("metric", mean)).message).toBe('registry: no category "metric"; the categories are "metrics", "loaders"')
    expect(thrown(() => loose.names("reporters")).detail).toMatch(/^no category "reporters"/)
    expect(thrown(() => loose.add("metrics", { compute: () => 1 })).detail).toBe("an entry needs a non-empty string name, got undefined")
    expect(thrown(() => loose.add("metrics", { name: "" })).detail).toBe('an entry needs a non-empty string name, got ""')
    expect(registry.names("metrics")).toStrictEqual([])
  })
})
