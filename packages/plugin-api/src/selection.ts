// A sweep's selection as reporters read it (selection.json): each configuration's best validation
// values over its seeds, and the one chosen. Types only: the runner selects (its selection.ts).

export interface ConfigScore {
  readonly config: string
  /** The best validation value of each seed's run. */
  readonly values: ReadonlyArray<number>
  readonly mean: number
}

export interface Selection {
  readonly group: string
  readonly metric: string
  readonly higherIsBetter: boolean
  readonly chosen: string
  readonly configs: ReadonlyArray<ConfigScore>
}
