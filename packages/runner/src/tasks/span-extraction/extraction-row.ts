// What result.json keeps of a span-extraction arm's test sentences: a type of @peftlab/plugin-api
// (reporters read it in FinishedRun), re-exported in a leaf of its own so that the arm task
// (span-arm.ts), the results folder and the comparisons read it without importing the task.
export type { ExtractionRow } from "@peftlab/plugin-api"
