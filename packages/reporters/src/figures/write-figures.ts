import { join } from "node:path"
import type { TopLevelSpec } from "vega-lite"
import { writeFileAtomic } from "@peftlab/core"
import { armFile } from "../arm-file.ts"
import { classificationIntervals, extractionIntervals, generationIntervals } from "./arm-intervals.ts"
import { confusionSpec } from "./confusion-spec.ts"
import { efficiencySpec } from "./efficiency-spec.ts"
import type { BootstrapOptions, FiguresInput } from "./figures-input.ts"
import { extractionMetricsSpec, generationMetricsSpec, performanceSpec } from "./interval-bars-spec.ts"
import { latencySpec } from "./latency-spec.ts"
import { lengthDistributionSpec } from "./length-distribution-spec.ts"
import { renderSvg, svgToPng } from "./render.ts"
import { trainedArms, trainingCurvesSpec } from "./training-curves-spec.ts"

export interface NamedFigure {
  /** File name without extension. */
  readonly name: string
  readonly spec: TopLevelSpec
}

const DEFAULT_BOOTSTRAP: BootstrapOptions = { B: 1000, seed: 0 }

/**
 * Every figure the input supports: performance, latency, efficiency and confusion_<arm> for
 * classification arms, training_curves when an arm trained, generation_metrics and
 * generation_lengths for a generation study, extraction_metrics, latency and training_curves
 * for span extraction.
 */
export const figureSpecs = (input: FiguresInput): NamedFigure[] => {
  const { arms, labels, generation, extraction } = input
  const bootstrap = input.bootstrap ?? DEFAULT_BOOTSTRAP
  const figures: NamedFigure[] = []
  if (arms.length > 0) {
    figures.push({ name: "performance", spec: performanceSpec(classificationIntervals(arms, labels, bootstrap), bootstrap.B) })
    figures.push({ name: "latency", spec: latencySpec(arms.map((a) => a.result)) })
    figures.push({ name: "efficiency", spec: efficiencySpec(arms) })
    if (trainedArms(arms).length > 0) figures.push({ name: "training_curves", spec: trainingCurvesSpec(arms) })
    for (const { result, confusion, predictions } of arms) {
      const support = labels.map((label) => predictions.filter((p) => p.gold === label).length)
      // armFile checks that the arm name can be part of a file name.
      figures.push({ name: armFile("", "confusion_", result.arm, ""), spec: confusionSpec(result.arm, labels, confusion, support) })
    }
  }
  if (generation !== undefined && generation.arms.length > 0) {
    figures.push({ name: "generation_metrics", spec: generationMetricsSpec(generationIntervals(generation.arms, bootstrap), bootstrap.B) })
    figures.push({ name: "generation_lengths", spec: lengthDistributionSpec(generation.arms, generation.lengthUnit) })
  }
  if (extraction !== undefined && extraction.length > 0) {
    figures.push({ name: "extraction_metrics", spec: extractionMetricsSpec(extractionIntervals(extraction, bootstrap), bootstrap.B) })
    figures.push({ name: "latency", spec: latencySpec(extraction.map((a) => a.result)) })
    if (trainedArms(extraction).length > 0) figures.push({ name: "training_curves", spec: trainingCurvesSpec(extraction) })
  }
  return figures
}

/** <name>.vl.json (the spec, to restyle), <name>.svg and <name>.png in `folder`, each written atomically. */
export const writeFigure = async (folder: string, { name, spec }: NamedFigure): Promise<string[]> => {
  // Serialised before rendering, so nothing the renderer might attach to the data gets in.
  const json = `${JSON.stringify(spec, null, 2)}\n`
  const svg = await renderSvg(spec)
  const files: Array<[string, string | Uint8Array]> = [
    [join(folder, `${name}.vl.json`), json],
    [join(folder, `${name}.svg`), svg],
    [join(folder, `${name}.png`), svgToPng(svg)],
  ]
  for (const [path, content] of files) await writeFileAtomic(path, content)
  return files.map(([path]) => path)
}

/** Writes every figure of `figureSpecs(input)` under `outDir`/figures; returns the files written. */
export const writeFigures = async (outDir: string, input: FiguresInput): Promise<string[]> => {
  const written: string[] = []
  for (const figure of figureSpecs(input)) written.push(...(await writeFigure(join(outDir, "figures"), figure)))
  return written
}
