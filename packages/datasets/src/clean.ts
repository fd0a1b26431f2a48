import type { ClassificationExample } from "./example.ts"

export interface CleaningOptions {
  /** Labels to drop, compared after label normalisation. */
  readonly dropLabels: ReadonlyArray<string>
  /** Trim and lowercase labels, so " Yes" and "yes" are one class. */
  readonly lowercaseLabels: boolean
  /** Keep only the first example of each (question, context) pair. */
  readonly dedupe: boolean
  /** Drop examples whose question, context or label is blank. */
  readonly dropEmpty: boolean
}

export interface Cleaned {
  readonly examples: Array<ClassificationExample>
  readonly dropped: Record<string, number>
}

/** Normalises labels and drops unwanted examples, counting each reason, in input order. */
export const cleanExamples = (raw: ReadonlyArray<ClassificationExample>, options: CleaningOptions): Cleaned => {
  const normalise = (label: string): string => (options.lowercaseLabels ? label.trim().toLowerCase() : label)
  const dropLabels = new Set(options.dropLabels.map(normalise))
  const seen = new Set<string>()
  const examples: Array<ClassificationExample> = []
  const dropped: Record<string, number> = {}

  const dropReason = (example: ClassificationExample): string | undefined => {
    if (dropLabels.has(example.label)) return `label ${JSON.stringify(example.label)}`
    if (options.dropEmpty && (example.question.trim() === "" || example.context.trim() === "")) return "empty text"
    if (options.dropEmpty && example.label.trim() === "") return "empty label"
    if (!options.dedupe) return undefined
    const key = JSON.stringify([example.question, example.context])
    if (seen.has(key)) return "duplicate (question, context)"
    seen.add(key)
    return undefined
  }

  for (const example of raw) {
    const normalised = { ...example, label: normalise(example.label) }
    const reason = dropReason(normalised)
    if (reason === undefined) examples.push(normalised)
    else dropped[reason] = (dropped[reason] ?? 0) + 1
  }
  return { examples, dropped }
}
