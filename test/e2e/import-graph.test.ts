// The import graph stays layered: dependency-cruiser, with the rules in .dependency-cruiser.cjs
// (no import cycle between source files; a package imports only the @peftlab packages its
// package.json declares, whose declared graph is acyclic; only cli imports cli or tui), over every
// package's and plugin's sources. A failure lists each violation as `depcruise` prints it.
import { join } from "node:path"
import { cruise } from "dependency-cruiser"
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")

describe("import graph", () => {
  it("has no cycle and no import of an undeclared or higher package", async () => {
    const options = await extractDepcruiseOptions(join(root, ".dependency-cruiser.cjs"))
    const result = await cruise(["packages/*/src", "plugins/*/src"], { ...options, baseDir: root, outputType: "err" })
    expect(result.exitCode, String(result.output)).toBe(0)
  })
})
