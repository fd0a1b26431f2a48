import { sumCounts } from "../cleaning/drop-counts.ts"
import type { Loaded } from "../example.ts"

export interface NamedSource<A> extends Loaded<A> {
  /** A short name, e.g. `medquad`: it prefixes ids and tags each example's `dataset`. */
  readonly name: string
}

/**
 * One data set from several loaded sources, in the order given: each example keeps its
 * source as `dataset` and gets the id `<name>/<id>`, so ids stay unique. The report adds up
 * the sources' counts and keeps their own reports as `parts`. Names must be unique.
 */
export const mergeSources = <A extends { readonly id: string }>(
  sources: ReadonlyArray<NamedSource<A>>,
): Loaded<A & { readonly dataset: string }> => {
  const names = sources.map((s) => s.name)
  const repeated = names.find((name, i) => names.indexOf(name) !== i)
  if (repeated !== undefined) throw new RangeError(`mergeSources: source name ${JSON.stringify(repeated)} is used twice`)
  const skippedFiles = sumCounts(sources.map((s) => s.report.skippedFiles ?? {}))
  return {
    examples: sources.flatMap(({ name, examples }) => examples.map((e) => ({ ...e, id: `${name}/${e.id}`, dataset: name }))),
    report: {
      source: names.join(" + "),
      read: sources.reduce((n, s) => n + s.report.read, 0),
      kept: sources.reduce((n, s) => n + s.report.kept, 0),
      dropped: sumCounts(sources.map((s) => s.report.dropped)),
      ...(Object.keys(skippedFiles).length > 0 ? { skippedFiles } : {}),
      parts: sources.map((s) => s.report),
    },
  }
}
