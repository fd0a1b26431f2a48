import type { ClassificationExample } from "../example.ts"
import { duplicateOf, keepCounting } from "./drop-counts.ts"

export interface CleaningOptions {
  /** Labels to drop, compared after renaming (both sides normalised). */
  readonly dropLabels: ReadonlyArray<string>
  /** Trim and lowercase labels, so " Yes" and "yes" are one class. */
  readonly lowercaseLabels: boolean
  /** Keep only the first example of each (question, context) pair. */
  readonly dedupe: boolean
  /** Drop examples whose question, context or label is blank. */
  readonly dropEmpty: boolean
  /** Label renames, e.g. `{ positive: "yes" }` (both sides normalised). */
  readonly renameLabels?: Readonly<Record<string, string>>
  /** When given, only these labels (after renaming, normalised) are kept, e.g. two of three classes. */
  readonly keepLabels?: ReadonlyArray<string>
}

export interface Cleaned {
  readonly examples: Array<ClassificationExample>
  readonly dropped: Record<string, number>
}

/**
 * Normalises and renames labels and drops unwanted examples, counting each reason, in
 * input order. Each example is counted once, under the first reason that applies: its
 * label, then blank text, then a blank label, then duplication.
 */
export const cleanExamples = (raw: ReadonlyArray<ClassificationExample>, options: CleaningOptions): Cleaned => {
  const normalise = (label: string): string => (options.lowercaseLabels ? label.trim().toLowerCase() : label)
  const renames = new Map(Object.entries(options.renameLabels ?? {}).map(([from, to]) => [normalise(from), normalise(to)]))
  const relabel = (label: string): string => {
    const normalised = normalise(label)
    return renames.get(normalised) ?? normalised
  }
  const dropLabels = new Set(options.dropLabels.map(normalise))
  const keepLabels = options.keepLabels === undefined ? undefined : new Set(options.keepLabels.map(normalise))
  const duplicate = duplicateOf<ClassificationExample>(
    (e) => JSON.stringify([e.question, e.context]),
    () => "duplicate (question, context)",
  )

  const dropReason = (example: ClassificationExample): string | undefined => {
    if (dropLabels.has(example.label) || (keepLabels !== undefined && !keepLabels.has(example.label))) {
      return `label ${JSON.stringify(example.label)}`
    }
    if (options.dropEmpty && (example.question.trim() === "" || example.context.trim() === "")) return "empty text"
    if (options.dropEmpty && example.label.trim() === "") return "empty label"
    return options.dedupe ? duplicate(example) : undefined
  }

  const { kept, dropped } = keepCounting(
    raw.map((example) => ({ ...example, label: relabel(example.label) })),
    dropReason,
  )
  return { examples: kept, dropped }
}
