// What result.json keeps of a span-extraction arm's test sentences, in a leaf of its own: the arm
// task (span-arm.ts) makes the rows, and the results folder, the arm-task contract and the
// comparisons read them without importing the task.
import type { EntitySpan } from "@peftlab/datasets"

/** One test sentence's gold and predicted spans (kept in result.json for the statistics). */
export interface ExtractionRow {
  readonly id: string
  readonly gold: ReadonlyArray<EntitySpan>
  readonly predicted: ReadonlyArray<EntitySpan>
}
