// training.truncation: error. A run that would cut any input stops before an arm trains, with
// exit 2 (an InputError) naming the split, how many inputs, one of them, and the spec field.
import { Effect } from "effect"
import { InputError, splitNames, type SplitsTruncation, type TruncationCounts } from "@peftlab/core"

/** An input is longer than training.max_length and training.truncation is error. */
export class TruncationRefused extends InputError("TruncationRefused") {}

const firstCut = (splits: SplitsTruncation) => splitNames.map((name) => ({ name, ...splits[name] })).find((split) => split.cut > 0)

/** Fails when the policy is error and anything was cut; otherwise does nothing. */
export const refuseTruncation = (counts: TruncationCounts): Effect.Effect<void, TruncationRefused> => {
  if (counts.policy !== "error") return Effect.void
  const owners = [{ arm: undefined as string | undefined, splits: counts.splits }, ...Object.entries(counts.arms ?? {}).map(([arm, splits]) => ({ arm, splits }))]
  for (const { arm, splits } of owners) {
    const split = firstCut(splits)
    if (split === undefined) continue
    const whose = arm === undefined ? "" : ` of arm ${arm}`
    const unit = counts.unit.replace(/s$/, "")
    const detail =
      `${split.cut} of ${split.total} ${split.name} ${counts.unit}${whose} (e.g. ${unit} ${split.example}) are longer than training.max_length ${counts.max_length} ` +
      `and would be cut; raise training.max_length, shorten the inputs, or set training.truncation: cut`
    return Effect.fail(new TruncationRefused({ source: "training.truncation", detail }))
  }
  return Effect.void
}
