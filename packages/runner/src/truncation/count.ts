// Counting the inputs that the templates cut to fit training.max_length. Every task kind's
// encoder reports, per input, how many tokens its truncated field lost; this turns those
// into per-split counts (TruncationCounts) for the run event, manifest.json and report.md.
import { splitNames, type SplitName, type SplitsTruncation, type SplitTruncation, type TruncationCounts } from "@peftlab/core"
import type { ExperimentSpec } from "@peftlab/spec"

/** What counting needs of an encoded input: its id and the tokens its truncated field lost. */
export interface TruncatedInput {
  readonly id: string
  readonly truncatedTokens: number
}

export type EncodedSplits<A> = Readonly<Record<SplitName, ReadonlyArray<A>>>

/** How many of `inputs` were cut, and the first one's id. */
export const countSplit = (inputs: ReadonlyArray<TruncatedInput>): SplitTruncation => {
  const cut = inputs.filter((input) => input.truncatedTokens > 0)
  return { cut: cut.length, total: inputs.length, ...(cut[0] !== undefined && { example: cut[0].id }) }
}

export const countSplits = (splits: EncodedSplits<TruncatedInput>): SplitsTruncation =>
  Object.fromEntries(splitNames.map((name) => [name, countSplit(splits[name])])) as Record<SplitName, SplitTruncation>

/** The counts of a task whose arms all see the same inputs. */
export const truncationCounts = (
  spec: ExperimentSpec,
  unit: string,
  splits: SplitsTruncation,
  arms?: Readonly<Record<string, SplitsTruncation>>,
): TruncationCounts => ({
  max_length: spec.training.max_length,
  policy: spec.training.truncation,
  unit,
  splits,
  ...(arms !== undefined && Object.keys(arms).length > 0 && { arms }),
})
