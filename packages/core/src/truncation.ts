// How many inputs were cut to fit training.max_length, per split (and per arm where arms see
// different inputs). The runner counts them; the run event, the screens, manifest.json and
// report.md all carry this one shape and say it in the same words (describeTruncation).

export const splitNames = ["train", "val", "test"] as const
export type SplitName = (typeof splitNames)[number]

export interface SplitTruncation {
  /** Inputs whose truncated field lost at least one token. */
  readonly cut: number
  readonly total: number
  /** The id of the first cut input, when any was cut. */
  readonly example?: string
}

export type SplitsTruncation = Readonly<Record<SplitName, SplitTruncation>>

export interface TruncationCounts {
  /** training.max_length, the budget the inputs were cut to. */
  readonly max_length: number
  /** training.truncation: "cut" shortens and reports, "error" refuses the run. */
  readonly policy: "cut" | "error"
  /** What an input is: "examples" (classification, generative QA) or "sentences" (span extraction). */
  readonly unit: string
  /** The counts every arm shares (all arms, unless `arms` names some). */
  readonly splits: SplitsTruncation
  /** Arms whose inputs differ from `splits`' (span extraction asking by bare type name): their own counts. */
  readonly arms?: Readonly<Record<string, SplitsTruncation>>
}

/** Inputs cut over every split, and arm where arms differ. */
export const totalCut = (counts: TruncationCounts): number =>
  [counts.splits, ...Object.values(counts.arms ?? {})].reduce((sum, splits) => sum + splitNames.reduce((s, name) => s + splits[name].cut, 0), 0)

const splitsText = (splits: SplitsTruncation): string => splitNames.map((name) => `${name} ${splits[name].cut} of ${splits[name].total}`).join(", ")

const firstExample = (splits: SplitsTruncation): string | undefined => {
  const name = splitNames.find((n) => splits[n].example !== undefined)
  return name === undefined ? undefined : `${name} ${splits[name].example}`
}

/**
 * One sentence for every place a run reports it, e.g. `train 0 of 100, val 3 of 20, test 16 of
 * 60 examples cut to fit training.max_length 256 (first: test 12345)`.
 */
export const describeTruncation = (counts: TruncationCounts): string => {
  const arms = Object.entries(counts.arms ?? {}).map(([arm, splits]) => `; arm ${arm}: ${splitsText(splits)}`)
  const first = [counts.splits, ...Object.values(counts.arms ?? {})].map(firstExample).find((e) => e !== undefined)
  return `${splitsText(counts.splits)} ${counts.unit} cut to fit training.max_length ${counts.max_length}${arms.join("")}${first === undefined ? "" : ` (first: ${first})`}`
}
