/** One labelled item of a text-classification data set. */
export interface ClassificationExample {
  readonly id: string
  readonly question: string
  readonly context: string
  readonly label: string
}

/** What a loader read and what its cleaning dropped, for the run manifest. */
export interface LoadReport {
  readonly source: string
  readonly read: number
  readonly kept: number
  /** Reason (e.g. `label "maybe"`, `empty text`, `duplicate (question, context)`) → count. */
  readonly dropped: Record<string, number>
}
