// Plugin code runs only when asked: `peftlab validate` never imports a spec's plugins, and
// `peftlab run` imports them only with --allow-plugins. The plugin here writes a marker file
// from its top level, so a file on disk tells whether it was imported.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { main } from "../src/main.ts"
import { captureIo } from "./io.ts"

const repoRoot = join(import.meta.dirname, "..", "..", "..")
const assets = join(repoRoot, "packages", "quickstart-assets")

/** The quickstart spec in a fresh folder, listing a plugin that marks its import, with `arms` prepended to its arms. */
const markerSpec = (arms = "") => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-opt-in-"))
  const marker = join(dir, "imported")
  writeFileSync(join(dir, "marker.mjs"), `import { writeFileSync } from "node:fs"\nwriteFileSync(${JSON.stringify(marker)}, "yes")\nexport const register = () => {}\n`)
  const text = readFileSync(join(repoRoot, "specs", "quickstart.yaml"), "utf8")
    .replaceAll("packages/quickstart-assets", assets)
    .replace("backend: wasm\n", "backend: wasm\nplugins: [./marker.mjs]\n")
    .replace("arms:\n", `arms:\n${arms}`)
  const file = join(dir, "spec.yaml")
  writeFileSync(file, text)
  return { dir, file, marker, out: join(dir, "results") }
}

/** The spec's line that lists its plugins (their value starts at column 10, after `plugins: `). */
const pluginLine = (file: string): number => readFileSync(file, "utf8").split("\n").findIndex((line) => line.startsWith("plugins:")) + 1

describe("plugins: run only with --allow-plugins", () => {
  it("refuses a spec with plugins without the flag: exit 2, the plugin not imported, nothing written", async () => {
    const { file, marker, out } = markerSpec()
    for (const extra of [[], ["--dry-run"]]) {
      const { io, err } = captureIo()
      expect(await main(["run", file, "--out", out, "--no-tui", ...extra], io)).toBe(2)
      expect(err.join("\n")).toBe(`error: ${file}: plugins: ["./marker.mjs"] runs code from outside peftlab; pass --allow-plugins to run it (line ${pluginLine(file)}:10)`)
    }
    expect(existsSync(marker)).toBe(false)
    expect(existsSync(out)).toBe(false)
  })

  it("imports the plugins with the flag", async () => {
    const { file, marker, out } = markerSpec()
    const { io, text } = captureIo()
    expect(await main(["run", file, "--out", out, "--dry-run", "--allow-plugins"], io), text()).toBe(0)
    expect(existsSync(marker)).toBe(true)
  })

  it("takes the flag on run and predict only", async () => {
    const { io, err } = captureIo()
    expect(await main(["validate", "x.yaml", "--allow-plugins"], io)).toBe(2)
    expect(err[0]!.split("\n")[0]).toBe("error: --allow-plugins belongs to run, predict, worker and merge, not validate")
  })
})

describe("validate with plugins listed", () => {
  it("imports none, and leaves the names a plugin may register to run, with a note", async () => {
    const { file, marker } = markerSpec("  - name: mine\n    kind: marker-method\n    scale: 2\n")
    const { io, out, text } = captureIo()
    expect(await main(["validate", file], io), text()).toBe(0)
    expect(existsSync(marker)).toBe(false)
    expect(out[0]).toBe(`${file}: valid (6 arms: mine, base, prompt, prefix, lora, qlora)`)
    expect(out[1]).toMatch(/not checked here, since validate imports no plugin: arms\[0\]\.kind: "marker-method" \(line \d+:\d+\); `peftlab run --allow-plugins` checks these/)
  })

  it("still reports a built-in arm's problems, and a plugin that is not there", async () => {
    const { file, marker } = markerSpec("  - name: mine\n    kind: marker-method\n  - name: wide\n    kind: lora\n    r: 8\n    rank: 8\n")
    const { io, text } = captureIo()
    expect(await main(["validate", file], io)).toBe(2)
    expect(text()).toMatch(/arms\[1\]\.rank: expected no such field, got 8/)
    expect(text()).not.toMatch(/marker-method/)
    expect(existsSync(marker)).toBe(false)

    const gone = markerSpec()
    writeFileSync(gone.file, readFileSync(gone.file, "utf8").replace("./marker.mjs", "./nowhere.mjs"))
    const missing = captureIo()
    expect(await main(["validate", gone.file], missing.io)).toBe(2)
    expect(missing.text()).toContain(`plugins[0]: no module file at ${join(gone.dir, "nowhere.mjs")}`)
  })
})
