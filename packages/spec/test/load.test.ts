import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { decodeSpecText, formatIssue, isOverride, loadSpec, parseOverride, placeIssue, renderFound, renderPath } from "../src/index.ts"
import { edit, minimalSpec, positionOf } from "./fixtures.ts"

const dir = mkdtempSync(join(tmpdir(), "peftlab-spec-load-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("loadSpec", () => {
  it("reads and decodes a spec file, naming the file in errors", async () => {
    const good = join(dir, "good.yaml")
    writeFileSync(good, minimalSpec)
    const loaded = await Effect.runPromise(loadSpec(good, { PEFTLAB_DATA: "/d" }))
    expect(loaded.file).toBe(good)
    expect(loaded.spec.data.path).toBe("/d/pubmedqa/ori_pqal.json")

    const bad = join(dir, "bad.yaml")
    writeFileSync(bad, edit(minimalSpec, "lr: 0.1", "lr: 0"))
    const error = await Effect.runPromise(Effect.flip(loadSpec(bad, {})))
    expect(error.source).toBe(bad)
    expect(error.issues.map((issue) => issue.path)).toStrictEqual(["training.lr"])
  })

  it("fails with a SpecError when the file cannot be read", async () => {
    const missing = join(dir, "missing.yaml")
    const error = await Effect.runPromise(Effect.flip(loadSpec(missing, {})))
    expect(error._tag).toBe("SpecError")
    expect(error.detail).toMatch(/^cannot read the spec file \(Error: ENOENT/)
  })

  it("decodes the repository's quickstart spec", async () => {
    const { spec } = await Effect.runPromise(loadSpec(resolve(import.meta.dirname, "../../../specs/quickstart.yaml"), {}))
    expect(spec.arms.map((arm) => arm.kind)).toStrictEqual(["base", "prompt", "prefix", "lora", "lora"])
    expect(spec.data.limit).toStrictEqual({ train: 128, val: 48 })
    expect(spec.data.fields).toStrictEqual({ question: "QUESTION", context: "CONTEXTS", label: "final_decision" })
  })

  it("keeps field locations so later checks can point into the file", async () => {
    const file = join(dir, "located.yaml")
    writeFileSync(file, minimalSpec)
    const { locations } = await Effect.runPromise(loadSpec(file, {}))
    const place = placeIssue(locations)
    expect(place({ path: ["task", "labels", "no"], expected: "a label the data has", found: '"no"' })).toStrictEqual({
      path: "task.labels.no",
      expected: "a label the data has",
      found: '"no"',
      ...positionOf(minimalSpec, '" no"'),
    })
    // A path that is not in the file falls back to its nearest ancestor; `at: "key"` picks the key.
    expect(place({ path: ["arms", 1, "init"], expected: "x", found: "nothing" })).toMatchObject(positionOf(minimalSpec, "name: prompt"))
    expect(place({ path: ["arms", 1, "kind"], expected: "x", found: '"prompt"', at: "key" })).toMatchObject(positionOf(minimalSpec, "kind: prompt"))
  })
})

describe("issue rendering", () => {
  it("renders paths, found values and issue lines", () => {
    expect(renderPath(["arms", 1, "num_virtual_tokens"])).toBe("arms[1].num_virtual_tokens")
    expect(renderPath(["task", "labels", "not sure"])).toBe('task.labels["not sure"]')
    expect(renderPath([])).toBe("")
    expect(renderFound(undefined)).toBe("nothing")
    expect(renderFound("eight")).toBe('"eight"')
    expect(renderFound("x".repeat(100))).toBe(`"${"x".repeat(76)}...`)
    expect(formatIssue({ path: "arms[1].num_virtual_tokens", expected: "a positive integer", found: '"eight"', line: 14, column: 25 })).toBe(
      'arms[1].num_virtual_tokens: expected a positive integer, got "eight" (line 14:25)',
    )
    expect(formatIssue({ path: "data.path", expected: "an existing data file", found: '"x"', message: "no file at /x" })).toBe("data.path: no file at /x")
  })
})

describe("spec text that cannot be decoded safely", () => {
  it("refuses a YAML alias bomb as an issue of the file, before expanding it", async () => {
    const level = (name: string, of: string) => `${name}: &${name} [${Array(9).fill(`*${of}`).join(", ")}]\n`
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\n${level("b", "a")}${level("c", "b")}${level("d", "c")}${level("e", "d")}`
    const error = await Effect.runPromise(Effect.flip(decodeSpecText(bomb, "bomb.yaml", {})))
    expect(error.issues).toMatchObject([{ path: "", expected: "valid YAML", found: "aliases", line: 1, column: 1 }])
    expect(error.issues[0]?.message).toMatch(/^YAML aliases expand too far \(.*\); write the values out, or use fewer aliases \(\*name\)$/)
  })

  it("refuses a spec file that is not UTF-8, naming the line", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "peftlab-spec-")), "latin1.yaml")
    writeFileSync(file, Buffer.concat([Buffer.from(minimalSpec), Buffer.from("# caf\xe9\n", "latin1")]))
    const error = await Effect.runPromise(Effect.flip(loadSpec(file, {})))
    expect(error.issues).toStrictEqual([
      { path: "", expected: "UTF-8 text", found: "other bytes", message: "expected UTF-8 text, found bytes that are not UTF-8; save the spec as UTF-8", line: minimalSpec.split("\n").length, column: 1 },
    ])
  })
})

describe("--set overrides", () => {
  it("replace fields before decoding, creating mappings on the way, and are checked like written values", async () => {
    const sets = ["model.path=/models/tiny", "data.limit.test=12", "training.lr=0.5"].map(parseOverride).filter(isOverride)
    const { spec } = await Effect.runPromise(decodeSpecText(minimalSpec, "spec.yaml", {}, sets))
    expect(spec.model.path).toBe("/models/tiny")
    expect(spec.data.limit).toEqual({ test: 12 })
    expect(spec.training.lr).toBe(0.5)
    const bad = [parseOverride("training.epochs=-1")].filter(isOverride)
    const error = await Effect.runPromise(Effect.flip(decodeSpecText(minimalSpec, "spec.yaml", {}, bad)))
    expect(error.issues[0]).toMatchObject({ path: "training.epochs", expected: "a positive integer", found: "-1" })
  })

  it("reach into a list by index (arms.0.num_virtual_tokens), and refuse an index past the list's end by name", async () => {
    const into = ["arms.1.num_virtual_tokens=4"].map(parseOverride).filter(isOverride)
    const { spec } = await Effect.runPromise(decodeSpecText(minimalSpec, "spec.yaml", {}, into))
    expect(spec.arms[1]).toMatchObject({ name: "prompt", num_virtual_tokens: 4 })
    expect(spec.arms).toHaveLength(2)
    const beyond = ["arms.5.name=x"].map(parseOverride).filter(isOverride)
    const error = await Effect.runPromise(Effect.flip(decodeSpecText(minimalSpec, "spec.yaml", {}, beyond)))
    expect(error.issues).toStrictEqual([
      { path: "--set", expected: "an index of arms", found: '"arms.5.name"', message: '--set arms.5.name: arms is a list of 2 (indexes 0 to 1), which has no "5"' },
    ])
  })

  it("must read field.path=value", () => {
    expect(parseOverride("nonsense")).toMatchObject({ path: "--set", expected: "field.path=value (e.g. model.path=/models/tiny)" })
    expect(parseOverride("a..b=1")).toMatchObject({ path: "--set" })
  })
})
