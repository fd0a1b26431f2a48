import { Effect } from "effect"
import { DataFileError } from "../data-file-error.ts"

/** A row a reader could not use: `reason` is the drop-count key, `detail` names the line (and column or field) and what was expected. */
export interface Malformed {
  readonly _tag: "Malformed"
  readonly reason: string
  readonly detail: string
}

export const malformed = (reason: string, detail: string): Malformed => ({ _tag: "Malformed", reason, detail })

export const isMalformed = (row: unknown): row is Malformed =>
  typeof row === "object" && row !== null && (row as { _tag?: unknown })._tag === "Malformed"

export interface CollectedRows<A> {
  readonly rows: Array<A>
  /** Every row looked at, malformed ones included. */
  readonly read: number
  readonly dropped: Record<string, number>
}

/**
 * Keeps the good rows, in order; the first malformed one fails with a DataFileError naming
 * `source`, or, when `skipMalformed` is set, every malformed row is dropped and counted by reason.
 */
export const collectRows = <A>(
  source: string,
  parsed: ReadonlyArray<A | Malformed>,
  skipMalformed: boolean,
): Effect.Effect<CollectedRows<A>, DataFileError> =>
  Effect.suspend(() => {
    const rows: Array<A> = []
    const dropped: Record<string, number> = {}
    for (const row of parsed) {
      if (!isMalformed(row)) rows.push(row)
      else if (skipMalformed) dropped[row.reason] = (dropped[row.reason] ?? 0) + 1
      else return Effect.fail(new DataFileError({ source, detail: row.detail }))
    }
    return Effect.succeed({ rows, read: parsed.length, dropped })
  })
