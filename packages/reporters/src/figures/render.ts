// Vega-Lite → Vega → SVG with Vega's headless view (no browser, no canvas), then SVG → PNG
// with resvg, whose native binary ships in its npm package.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Resvg, type ResvgRenderOptions } from "@resvg/resvg-js"
import { parse, resetSVGDefIds, View } from "vega"
import { compile, type TopLevelSpec } from "vega-lite"

/** The SVG of a Vega-Lite spec; the same spec gives the same bytes, whatever was rendered before. */
export const renderSvg = async (spec: TopLevelSpec): Promise<string> => {
  const view = new View(parse(compile(spec).spec), { renderer: "none" })
  // Gradient and clip ids come from process-wide counters: restart them for every document.
  resetSVGDefIds()
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

const DEJAVU = "/usr/share/fonts/truetype/dejavu"
const DEJAVU_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((file) => join(DEJAVU, file))

/**
 * Vega writes font-family "sans-serif". Loading DejaVu Sans by file makes that resolve to the
 * same font on every machine that has it (and skips the slow system font scan); elsewhere the
 * system fonts are the fallback.
 */
const fontOptions = (): NonNullable<ResvgRenderOptions["font"]> =>
  DEJAVU_FILES.every((file) => existsSync(file))
    ? { loadSystemFonts: false, fontFiles: DEJAVU_FILES, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" }
    : { loadSystemFonts: true }

/** A PNG of `svg` on white, at `scale` times the SVG's size (2 by default, sharp enough for print). */
export const svgToPng = (svg: string, scale = 2): Uint8Array =>
  new Resvg(svg, { background: "white", fitTo: { mode: "zoom", value: scale }, font: fontOptions() }).render().asPng()
