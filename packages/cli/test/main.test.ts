import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { main } from "../src/main.ts"
import { captureIo } from "./io.ts"
import { fromRepoRoot, quickstart, repoRoot } from "./repo-root.ts"

// A spec that finds its data through PEFTLAB_DATA (the quickstart's ships in the repository).
const pubmedqaStudy = join(repoRoot, "specs", "pubmedqa-prompt-prefix.yaml")


const writeSpec = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), "peftlab-cli-")), "spec.yaml")
  writeFileSync(file, text)
  return file
}

describe("peftlab flags", () => {
  it("exits 2 with the usage on an unknown flag, command or backend", async () => {
    for (const argv of [["run", "x.yaml", "--fast"], ["launch"], ["run", "x.yaml", "--backend", "cuda"], []]) {
      const { io, err, text } = captureIo()
      expect(await main(argv, io)).toBe(2)
      expect(text()).toMatch(/usage: peftlab/)
      if (argv[2] === "--backend") expect(err[0]!.split("\n")[0]).toBe('error: --backend: expected one of cpu, wasm, native, webgpu, tfjs-node, tfjs-node-gpu, got "cuda"')
    }
  })

  it("exits 2 when a flag is given to a command that does not read it", async () => {
    for (const [argv, message] of [
      [["report", "results", "--tensorboard", "tb"], "--tensorboard belongs to run, not report"],
      [["validate", "spec.yaml", "--mlflow", "mlruns"], "--mlflow belongs to run, not validate"],
      [["run", "spec.yaml", "--html", "page.html"], "--html belongs to compare, not run"],
    ] as const) {
      const { io, err } = captureIo()
      expect(await main(argv, io)).toBe(2)
      expect(err[0]!.split("\n")[0]).toBe(`error: ${message}`)
    }
  })

  it("exits 2 when a flag other than --set is given twice, rather than keep the last", async () => {
    for (const [argv, message] of [
      [["run", "spec.yaml", "--out", "a", "--out", "b"], '--out is given 2 times ("a", "b"); give it once'],
      [["run", "spec.yaml", "--no-tui", "--no-tui"], "--no-tui is given 2 times; give it once"],
    ] as const) {
      const { io, err } = captureIo()
      expect(await main(argv, io)).toBe(2)
      expect(err[0]!.split("\n")[0]).toBe(`error: ${message}`)
    }
  })

  it("prints help and exits 0 with --help", async () => {
    const { io, out } = captureIo()
    expect(await main(["--help"], io)).toBe(0)
    expect(out.join("\n")).toMatch(/run SPEC/)
  })

  it("lists every backend with available or unavailable and why", async () => {
    const { io, out } = captureIo()
    expect(await main(["backends"], io)).toBe(0)
    expect(out).toHaveLength(6)
    expect(out.find((l) => l.startsWith("cpu"))).toMatch(/^cpu\s+available/)
    expect(out.find((l) => l.startsWith("wasm"))).toMatch(/^wasm\s+available/)
    // native needs its prebuilt addon (linux-x64); elsewhere its line says why not.
    expect(out.find((l) => l.startsWith("native "))).toMatch(/^native\s+(available\s+tfjs WebAssembly backend with matrix products|unavailable\s+\S)/)
    // webgpu depends on a GPU or Mesa's lavapipe being installed; either way its line says so.
    expect(out.find((l) => l.startsWith("webgpu "))).toMatch(/^webgpu\s+(available\s+tfjs WebGPU|unavailable\s+\S)/)
    for (const name of ["tfjs-node", "tfjs-node-gpu"]) {
      expect(out.find((l) => l.startsWith(`${name} `))).toMatch(new RegExp(`^${name}\\s+(available|unavailable\\s+@tensorflow/${name} is not installed; install it with "npm install @tensorflow/${name}")`))
    }
  })
})

describe("peftlab validate", () => {
  it("exits 2 listing each problem with its field, expectation, value and line:column", async () => {
    const spec = readFileSync(quickstart, "utf8")
      .replace("num_virtual_tokens: 8", 'num_virtual_tokens: "eight"')
      .replace("epochs: 3", "epochs: -1")
    const file = writeSpec(spec)
    const lines = spec.split("\n")
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1
    const { io, err } = captureIo()
    expect(await main(["validate", file], io)).toBe(2)
    const text = err.join("\n")
    expect(text).toContain(`arms[1].num_virtual_tokens: expected a positive integer, got "eight" (line ${lineOf('"eight"')}:`)
    expect(text).toContain(`training.epochs: expected a positive integer, got -1 (line ${lineOf("epochs: -1")}:`)
  })

  it("exits 2 naming the file when the spec does not exist", async () => {
    const { io, err } = captureIo()
    expect(await main(["validate", "/nonexistent/spec.yaml"], io)).toBe(2)
    expect(err.join("\n")).toContain("/nonexistent/spec.yaml")
  })

  it("accepts the quickstart spec, whose model and data ship in the repository", async () => {
    const { io, out } = captureIo()
    expect(await fromRepoRoot(() => main(["validate", quickstart], io))).toBe(0)
    expect(out[0]).toMatch(/valid \(5 arms: base, prompt, prefix, lora, qlora\)/)
  })

  it("says which variable to set when the data file is missing", async () => {
    const { io, err } = captureIo()
    const saved = process.env.PEFTLAB_DATA
    process.env.PEFTLAB_DATA = "/nowhere/data"
    try {
      expect(await main(["validate", pubmedqaStudy], io)).toBe(2)
    } finally {
      process.env.PEFTLAB_DATA = saved
    }
    expect(err.join("\n")).toMatch(/data\.path: .*\/nowhere\/data\/pubmedqa\/ori_pqal\.json.*PEFTLAB_DATA/)
  })
})

describe("peftlab run --dry-run", () => {
  it("prints the planned arms and writes nothing", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "peftlab-dry-")), "results")
    const { io, out: lines } = captureIo()
    expect(await fromRepoRoot(() => main(["run", quickstart, "--dry-run", "--out", out], io))).toBe(0)
    expect(lines.join("\n")).toContain("arm base: frozen base")
    expect(lines.join("\n")).toContain("arm prompt: prompt tuning, 8 virtual tokens, text init")
    expect(lines.join("\n")).toContain("arm qlora: LoRA r=8 alpha=16 dropout=0.05 on q_proj, k_proj, v_proj, NF4 base (QLoRA)")
    expect(() => readFileSync(join(out, "manifest.json"))).toThrow()
  })
})
