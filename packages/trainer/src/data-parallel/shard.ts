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

/**
 * A training step's micro-batches (each a list of examples) dealt to the workers: whole
 * micro-batches when there are at least as many as workers, else each micro-batch cut into
 * contiguous parts of its examples, one per worker, so that every worker has work. With the
 * pool's weighting by examples, a loss that is a mean over examples is unchanged by the cut
 * (a mean over tokens is then averaged per worker, as torch's DistributedDataParallel does).
 */
export const shardStep = <Example>(group: ReadonlyArray<ReadonlyArray<Example>>, workers: number): Array<Array<ReadonlyArray<Example>>> =>
  group.length >= workers
    ? shard(group, workers)
    : Array.from({ length: workers }, (_, w) => group.map((batch) => shard(batch, workers)[w] ?? []).filter((part) => part.length > 0))
