import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"
import { formatP, signed } from "./format.ts"
import { toMarkdownTable } from "./markdown.ts"

export interface BootstrapSummary {
  /** metric(arm) − metric(baseline). */
  readonly observed: number
  readonly ci95: readonly [number, number]
  readonly pValue: number
  /** Holm-adjusted over every arm compared with the same baseline on this metric. */
  readonly pHolm?: number
  readonly B: number
}

export interface RandomizationSummary {
  /** metric(arm) − metric(baseline). */
  readonly observed: number
  readonly pValue: number
  /** Holm-adjusted over every arm compared with the same baseline on this metric. */
  readonly pHolm?: number
  readonly R: number
}

/** An arm compared with its baseline on the same test examples (A = baseline, B = arm). */
export interface Comparison {
  readonly arm: string
  readonly baseline: string
  /** Paired test examples. */
  readonly n?: number
  /** b: baseline right and arm wrong; c: baseline wrong and arm right. */
  readonly mcnemar?: { readonly b: number; readonly c: number; readonly n: number; readonly pValue: number; readonly pHolm?: number }
  readonly bootstrap?: Readonly<Record<string, BootstrapSummary>>
  /** Approximate randomization, when the spec asks for it (stats.randomization). */
  readonly randomization?: Readonly<Record<string, RandomizationSummary>>
}

/** stats.json (the comparisons as they are) and stats.md (one section and table per comparison). */
export const writeStats = async (dir: string, comparisons: readonly Comparison[]): Promise<void> => {
  await writeFileAtomic(join(dir, "stats.json"), `${JSON.stringify(comparisons, null, 2)}\n`)
  await writeFileAtomic(join(dir, "stats.md"), ["# Statistics\n", ...comparisons.map(section)].join("\n"))
}

/** What a bootstrap p in stats.md means (the definition in @peftlab/stats' pairedIndexBootstrap). */
export const bootstrapPDefinition =
  "p = min(1, 2·(k + 1)/(B + 1)), k the number of resampled differences on the far side of 0 (the smaller of those ≤ 0 and ≥ 0), " +
  "counting the observed data as one resample (Davison and Hinkley 1997), so p is never 0 and at least 2/(B + 1)."

/** What a randomization p in stats.md means (the definition in @peftlab/stats' approximateRandomization). */
export const randomizationPDefinition =
  "p = (c + 1)/(R + 1), c the shuffles (each example's two outputs swapped with probability 1/2) whose |difference| reaches the observed one, " +
  "counting the observed data as one shuffle (Noreen 1989), so p is never 0 and at least 1/(R + 1)."

/** The approximate randomization table of one comparison. */
const randomizationSection = (c: Comparison, randomization: Readonly<Record<string, RandomizationSummary>>): Array<string> => {
  const R = Object.values(randomization)[0]?.R
  const holm = Object.values(randomization).some((s) => s.pHolm !== undefined)
  const rows = Object.entries(randomization).map(([metric, s]) => [
    metric,
    signed(s.observed, 4),
    formatP(s.pValue),
    ...(holm ? [s.pHolm === undefined ? "" : formatP(s.pHolm)] : []),
  ])
  return [
    `Approximate randomization, R = ${R}: difference = ${c.arm} − ${c.baseline}. ${randomizationPDefinition}\n`,
    toMarkdownTable(["metric", "difference", "p", ...(holm ? ["p (Holm)"] : [])], rows, ["left", "right", "right", ...(holm ? (["right"] as const) : [])]),
  ]
}

const section = (c: Comparison): string => {
  const parts = [`## ${c.arm} vs ${c.baseline}\n`]
  if (c.n !== undefined) parts.push(`n = ${c.n} paired test examples.\n`)
  if (c.bootstrap !== undefined) {
    const B = Object.values(c.bootstrap)[0]?.B
    const holm = Object.values(c.bootstrap).some((s) => s.pHolm !== undefined)
    const rows = Object.entries(c.bootstrap).map(([metric, s]) => [
      metric,
      signed(s.observed, 4),
      `[${signed(s.ci95[0], 4)}, ${signed(s.ci95[1], 4)}]`,
      formatP(s.pValue, s.B),
      ...(holm ? [s.pHolm === undefined ? "" : formatP(s.pHolm, s.B)] : []),
    ])
    parts.push(`Paired bootstrap, B = ${B}: difference = ${c.arm} − ${c.baseline}. ${bootstrapPDefinition}\n`)
    parts.push(
      toMarkdownTable(["metric", "difference", "95% CI", "p", ...(holm ? ["p (Holm)"] : [])], rows, ["left", "right", "right", "right", ...(holm ? (["right"] as const) : [])]),
    )
  }
  if (c.randomization !== undefined) parts.push(...randomizationSection(c, c.randomization))
  if (c.mcnemar !== undefined) {
    const { b, c: cc, pValue } = c.mcnemar
    parts.push(
      `McNemar exact test: b = ${b} (${c.baseline} right, ${c.arm} wrong), c = ${cc} (${c.baseline} wrong, ${c.arm} right), p = ${formatP(pValue)}${c.mcnemar.pHolm === undefined ? "" : ` (Holm-adjusted ${formatP(c.mcnemar.pHolm)})`}.\n`,
    )
  }
  return parts.join("\n")
}
