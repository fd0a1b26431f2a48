import { describe, expect, it } from "vitest"
import { envDefaults, expandVariables } from "../src/index.ts"
import { decodeError, decodeOk, edit, minimalSpec, positionOf } from "./fixtures.ts"

describe("expandVariables", () => {
  const tree = { a: "${X}/y", list: ["${Y:-fallback}", 3], nested: { d: "${PEFTLAB_DATA}", plain: "no variables" }, "${X}": "keys stay" }

  it("expands string values from the environment, `:-` defaults and documented defaults", () => {
    const { tree: expanded, fields, issues } = expandVariables(tree, { X: "/x" })
    expect(expanded).toStrictEqual({ a: "/x/y", list: ["fallback", 3], nested: { d: "data", plain: "no variables" }, "${X}": "keys stay" })
    expect(issues).toStrictEqual([])
    expect(Object.fromEntries(fields)).toStrictEqual({
      a: { template: "${X}/y", value: "/x/y", uses: [{ name: "X", source: "env", value: "/x" }] },
      "list[0]": { template: "${Y:-fallback}", value: "fallback", uses: [{ name: "Y", source: "default", value: "fallback" }] },
      "nested.d": { template: "${PEFTLAB_DATA}", value: "data", uses: [{ name: "PEFTLAB_DATA", source: "default", value: "data" }] },
    })
  })

  it("prefers a set variable over any default, and treats an empty one as unset", () => {
    const { tree: expanded } = expandVariables({ a: "${Y:-d}", b: "${PEFTLAB_MODELS}", c: "${Y:-d}" }, { Y: "", PEFTLAB_MODELS: "/m" })
    expect(expanded).toStrictEqual({ a: "d", b: "/m", c: "d" })
  })

  it("reports an unset variable without a default at its field and leaves the text as written", () => {
    const { tree: expanded, issues } = expandVariables({ list: [{ p: "${NOPE}/z" }] }, {})
    expect(expanded).toStrictEqual({ list: [{ p: "${NOPE}/z" }] })
    expect(issues).toStrictEqual([
      { path: ["list", 0, "p"], expected: "environment variable NOPE to be set (or a default, as in ${NOPE:-value})", found: '"${NOPE}/z"' },
    ])
  })

  it("documents data and models defaults", () => {
    expect(envDefaults).toStrictEqual({ PEFTLAB_DATA: "data", PEFTLAB_MODELS: "models" })
  })
})

describe("decodeSpecText with variables", () => {
  it("uses the environment and records the variables of each field", async () => {
    const { spec, variables } = await decodeOk(minimalSpec, { PEFTLAB_DATA: "/datasets", PEFTLAB_MODELS: "/weights" })
    expect(spec.data.path).toBe("/datasets/pubmedqa/ori_pqal.json")
    expect(spec.model.path).toBe("/weights/stories260k")
    expect(variables.get("data.path")).toStrictEqual({
      template: "${PEFTLAB_DATA}/pubmedqa/ori_pqal.json",
      value: "/datasets/pubmedqa/ori_pqal.json",
      uses: [{ name: "PEFTLAB_DATA", source: "env", value: "/datasets" }],
    })
    expect([...variables.keys()]).toStrictEqual(["data.path", "model.path"])
  })

  it("falls back to the documented defaults and to `:-` defaults", async () => {
    const text = edit(minimalSpec, "dir: out", "dir: ${RUNS:-results}/tiny")
    const { spec, variables } = await decodeOk(text)
    expect(spec.data.path).toBe("data/pubmedqa/ori_pqal.json")
    expect(spec.output.dir).toBe("results/tiny")
    expect(variables.get("output.dir")?.uses).toStrictEqual([{ name: "RUNS", source: "default", value: "results" }])
  })

  it("reports an unset variable at the field that uses it, with any other issues", async () => {
    const text = edit(edit(minimalSpec, "dir: out", "dir: ${RUNS}/tiny"), "epochs: 1", "epochs: one")
    const error = await decodeError(text)
    expect(error.issues).toStrictEqual([
      { path: "training.epochs", expected: "a positive integer", found: '"one"', ...positionOf(text, "one") },
      {
        path: "output.dir",
        expected: "environment variable RUNS to be set (or a default, as in ${RUNS:-value})",
        found: '"${RUNS}/tiny"',
        ...positionOf(text, "${RUNS}"),
      },
    ])
  })
})
