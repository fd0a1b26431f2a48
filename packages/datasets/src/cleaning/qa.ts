import type { QAExample } from "../example.ts"
import { duplicateOf, keepCounting } from "./drop-counts.ts"

export interface QACleaningOptions {
  /** Drop examples with a blank question or answer, or a blank context where there is one. */
  readonly dropEmpty: boolean
  /** Keep only the first example of each (question, context, answer). */
  readonly dedupe: boolean
}

/**
 * Drops unwanted QA examples in input order, counting each reason: blank fields first,
 * then duplicates. Without a context the duplicate key is (question, answer).
 */
export const cleanQAExamples = (
  raw: ReadonlyArray<QAExample>,
  options: QACleaningOptions,
): { readonly examples: Array<QAExample>; readonly dropped: Record<string, number> } => {
  const duplicate = duplicateOf<QAExample>(
    (e) => JSON.stringify([e.question, e.context ?? null, e.answer]),
    (e) => (e.context === undefined ? "duplicate (question, answer)" : "duplicate (question, context, answer)"),
  )
  const dropReason = (example: QAExample): string | undefined => {
    if (options.dropEmpty) {
      if (example.question.trim() === "") return "empty question"
      if (example.answer.trim() === "") return "empty answer"
      if (example.context?.trim() === "") return "empty context"
    }
    return options.dedupe ? duplicate(example) : undefined
  }
  const { kept, dropped } = keepCounting(raw, dropReason)
  return { examples: kept, dropped }
}
