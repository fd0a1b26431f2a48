import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { classificationIntervals, figureSpecs, renderSvg, svgToPng, writeFigures } from "../src/index.ts"
import { labels, study } from "./figures-fixtures.ts"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** Width and height from the IHDR chunk, which must come first, right after the signature. */
const pngSize = (png: Uint8Array) => {
  expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE)
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  expect(new TextDecoder().decode(png.subarray(12, 16))).toBe("IHDR")
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

const svgSize = (svg: string) => {
  const [, width, height] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg) ?? []
  return { width: Number(width), height: Number(height) }
}

const texts = (svg: string) => new Set([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]))

const figures = figureSpecs(study)
const svgs = new Map<string, string>()
const warnings = vi.spyOn(console, "warn")
const renderMs: number[] = []

beforeAll(async () => {
  for (const { name, spec } of figures) {
    const started = performance.now()
    svgs.set(name, await renderSvg(spec))
    renderMs.push(performance.now() - started)
  }
})
afterAll(() => warnings.mockRestore())

describe("renderSvg", () => {
  const arms = study.arms.map((a) => a.result.arm)
  const expected: Record<string, string[]> = {
    performance: ["Test performance", "macro-F1", "accuracy", "score", "arm", ...arms],
    latency: ["Inference latency", "latency (ms)", "mean", "p95", ...arms],
    efficiency: ["Efficiency", "trainable parameters (symlog scale)", "training time (s)", "macro-F1", "0", "1M", ...arms],
    training_curves: ["Training curves", "loss", "validation macro_f1", "epoch", "train", "validation", "prompt", "lora"],
    "confusion_zero-shot": ["Confusion matrix: zero-shot", "predicted", "gold", "row share", "(no label)", ...labels],
    generation_metrics: ["ROUGE-L", "BLEU", "prompt", "lora"],
    generation_lengths: ["Generated lengths", "generated length (tokens)", "answers", "prompt", "lora"],
  }

  it("draws every figure with its title, axis titles and arm names, and Vega-Lite warns about nothing", () => {
    for (const [name, strings] of Object.entries(expected)) {
      const drawn = texts(svgs.get(name)!)
      for (const text of strings) expect(drawn, `${name}: "${text}"`).toContain(text)
    }
    // The untrained baseline has no curve, so it is not in the training legend either.
    expect(texts(svgs.get("training_curves")!)).not.toContain("zero-shot")
    expect(warnings).not.toHaveBeenCalled()
  })

  it("draws one performance bar per arm and metric, at the interval's value", () => {
    const rows = classificationIntervals(study.arms, labels, study.bootstrap!)
    // A bar's label lists its tooltip after arm and score; an error bar's names no metric.
    const bars = [...svgs.get("performance")!.matchAll(/aria-label="arm: ([^;]+); score: ([-\d.e]+); metric: /g)].map((m) => ({ arm: m[1], value: Number(m[2]) }))
    expect(bars).toHaveLength(rows.length)
    const key = (b: { arm?: string; value: number }) => `${b.arm} ${b.value.toFixed(9)}`
    expect(bars.map(key).sort()).toEqual(rows.map(key).sort())
  })

  it("gives byte-identical SVG and PNG for the same input", async () => {
    for (const { name, spec } of figures) expect(await renderSvg(spec), name).toBe(svgs.get(name))
    const svg = svgs.get("performance")!
    expect(Buffer.from(svgToPng(svg)).equals(Buffer.from(svgToPng(svg)))).toBe(true)
  })

  it("renders each figure in well under a second", () => {
    const mean = renderMs.reduce((a, b) => a + b, 0) / renderMs.length
    console.log(`renderSvg: ${renderMs.map((ms) => ms.toFixed(0)).join(", ")} ms (mean ${mean.toFixed(0)} ms) for ${figures.map((f) => f.name).join(", ")}`)
    expect(mean).toBeLessThan(1000)
  })
})

describe("svgToPng", () => {
  const box = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">${body}</svg>`

  it("writes a PNG at twice the SVG's size by default", () => {
    const svg = svgs.get("latency")!
    const { width, height } = svgSize(svg)
    expect(width).toBeGreaterThan(100)
    expect(pngSize(svgToPng(svg))).toEqual({ width: 2 * width, height: 2 * height })
    expect(pngSize(svgToPng(svg, 1))).toEqual({ width, height })
  })

  it("paints a white background and draws text with the loaded fonts", () => {
    const png = (body: string) => Buffer.from(svgToPng(box(body)))
    expect(png("").equals(png('<rect width="120" height="40" fill="white"/>'))).toBe(true)
    // With no font found resvg skips text, leaving the blank image.
    expect(png('<text x="4" y="24" font-family="sans-serif" font-size="14">macro-F1</text>').equals(png(""))).toBe(false)
  })
})

describe("writeFigures", () => {
  const tmp = useTmpDir("reporters")

  it("writes <name>.vl.json, .svg and .png of every figure under figures/, the same bytes as rendering again", async () => {
    const started = performance.now()
    const written = await writeFigures(tmp(), study)
    const ms = performance.now() - started
    console.log(`writeFigures: ${figures.length} figures (bootstrap B = ${study.bootstrap!.B}, SVG, PNG) in ${ms.toFixed(0)} ms`)
    const folder = join(tmp(), "figures")
    const expectedFiles = figures.flatMap(({ name }) => [".vl.json", ".svg", ".png"].map((ext) => join(folder, name + ext)))
    expect(written).toEqual(expectedFiles)
    expect(readdirSync(folder).sort()).toEqual(expectedFiles.map((f) => f.slice(folder.length + 1)).sort())
    // Compared with specs built afresh, never handed to the renderer.
    for (const { name, spec } of figureSpecs(study)) {
      expect(JSON.parse(readFileSync(join(folder, `${name}.vl.json`), "utf8"))).toEqual(JSON.parse(JSON.stringify(spec)))
      const svg = readFileSync(join(folder, `${name}.svg`), "utf8")
      expect(svg, name).toBe(svgs.get(name))
      const png = readFileSync(join(folder, `${name}.png`))
      expect(pngSize(png)).toEqual({ width: 2 * svgSize(svg).width, height: 2 * svgSize(svg).height })
    }
    // The saved spec is enough to draw the figure again: what users restyle is what was drawn.
    const saved = JSON.parse(readFileSync(join(folder, "performance.vl.json"), "utf8"))
    expect(await renderSvg(saved)).toBe(readFileSync(join(folder, "performance.svg"), "utf8"))
    expect(readdirSync(folder).filter((f) => f.includes(".tmp-"))).toEqual([])
    expect(ms / figures.length).toBeLessThan(1500)
  })
})
