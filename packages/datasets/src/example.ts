/** One labelled item of a text-classification data set. */
export interface ClassificationExample {
  readonly id: string
  readonly question: string
  readonly context: string
  readonly label: string
  /** The named source it came from, when several were merged (see `mergeSources`). */
  readonly dataset?: string
  /** Extra string fields kept from the source, for slicing results. */
  readonly metadata?: Readonly<Record<string, string>>
}

/** One question with its reference answer, for generation tasks. */
export interface QAExample {
  readonly id: string
  readonly question: string
  /** The passage to answer from; absent for closed-book sets such as MedQuAD. */
  readonly context?: string
  readonly answer: string
  /** String fields kept from the source for slicing (MedQuAD: source, qtype, focus, ...). */
  readonly metadata: Readonly<Record<string, string>>
  /** The named source it came from, when several were merged (see `mergeSources`). */
  readonly dataset?: string
}

/** What a loader read and what its cleaning dropped, for the run manifest. */
export interface LoadReport {
  readonly source: string
  /** Rows, entries or QA pairs read; `read = kept + sum(dropped)`. */
  readonly read: number
  readonly kept: number
  /** Reason (e.g. `label "maybe"`, `empty text`, `duplicate (question, context)`) → count. */
  readonly dropped: Record<string, number>
  /** Whole files passed over, reason → count (MedQuAD files in another layout, invalid XML when skipped). */
  readonly skippedFiles?: Record<string, number>
  /** The reports of the sources a merged data set was made from. */
  readonly parts?: ReadonlyArray<LoadReport>
}

/** A loader's result: the cleaned examples in a deterministic order, and its report. */
export interface Loaded<A> {
  readonly examples: Array<A>
  readonly report: LoadReport
}
