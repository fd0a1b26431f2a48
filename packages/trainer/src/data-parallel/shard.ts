// How a step's micro-batches are dealt to the workers.

/**
 * Splits `micro` into `workers` contiguous runs whose lengths differ by at most one, the
 * longer runs first: 3 micro-batches over 2 workers give [[m0, m1], [m2]]. A worker gets an
 * empty run when there are fewer micro-batches than workers.
 */
export const shard = <Batch>(micro: ReadonlyArray<Batch>, workers: number): Array<Array<Batch>> => {
  const base = Math.floor(micro.length / workers)
  const extra = micro.length % workers
  const start = (w: number) => w * base + Math.min(w, extra)
  return Array.from({ length: workers }, (_, w) => micro.slice(start(w), start(w + 1)))
}
