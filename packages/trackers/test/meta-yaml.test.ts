// The meta.yaml emitter and reader: plain where PyYAML would be, quoted where a plain scalar would
// read as something else, and reading back PyYAML's own folded and escaped output (written by
// PyYAML 6.0.4's safe_dump, width 80, as mlflow's write_yaml calls it).
import { describe, expect, it } from "vitest"
import { parseMetaYaml, toMetaYaml } from "../src/mlflow/meta-yaml.ts"

describe("toMetaYaml", () => {
  it("sorts keys and writes mlflow's experiment meta as PyYAML does", () => {
    expect(
      toMetaYaml({ name: "Default", experiment_id: "0", lifecycle_stage: "active", artifact_location: "file:///tmp/mlruns/0", creation_time: 1796392139652, tags: [], end: null }),
    ).toBe(
      "artifact_location: file:///tmp/mlruns/0\ncreation_time: 1796392139652\nend: null\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\ntags: []\n",
    )
  })

  it("quotes what would read as another type or break the line", () => {
    const cases: Record<string, string> = {
      "": "''",
      "my exp: test": "'my exp: test'",
      "it's": "'it''s'",
      yes: "'yes'",
      Null: "'Null'",
      "12": "'12'",
      "-1": "'-1'",
      ".inf": "'.inf'",
      "a:": "'a:'",
      "#x": "'#x'",
      "ünïcode": "'ünïcode'",
      "two\nlines": '"two\\nlines"',
      "tab\t\u2028": '"tab\\t\\u2028"',
    }
    for (const [value, yaml] of Object.entries(cases)) expect(toMetaYaml({ k: value })).toBe(`k: ${yaml}\n`)
    expect(() => toMetaYaml({ k: 0.5 })).toThrow(RangeError)
  })

  it("reads back everything it writes", () => {
    const values = ["", "plain", "my exp: test", "it's", "yes", "12", "two\nlines", "tab\t\u2028 \\ \"", "ünïcode ✓", "x".repeat(200)]
    const meta = Object.fromEntries(values.map((v, i) => [`k${i}`, v]))
    const parsed = parseMetaYaml(toMetaYaml(meta))
    expect(Object.fromEntries(parsed)).toEqual(meta)
    expect(parseMetaYaml("a: null\nb: ~\nc: 3\nd: []\n")).toEqual(new Map([["a", null], ["b", null], ["c", "3"], ["d", "[]"]]))
  })

  it("reads PyYAML's folded and escaped scalars", () => {
    // yaml.safe_dump({"name": ..., "plain": ..., "esc": ...}, default_flow_style=False, allow_unicode=True)
    const pyyaml = [
      "esc: \"line one\\nline two \\L and a very long tail that goes past the eighty column\\",
      "  \\ limit\"",
      "name: 'a long experiment name: with a colon, and ''quotes'', that PyYAML folds onto",
      "  more than one line when it passes eighty columns'",
      "plain: a long plain experiment name without any special characters that PyYAML folds",
      "  too",
      "",
    ].join("\n")
    expect(Object.fromEntries(parseMetaYaml(pyyaml))).toEqual({
      esc: "line one\nline two \u2028 and a very long tail that goes past the eighty column limit",
      name: "a long experiment name: with a colon, and 'quotes', that PyYAML folds onto more than one line when it passes eighty columns",
      plain: "a long plain experiment name without any special characters that PyYAML folds too",
    })
  })
})
