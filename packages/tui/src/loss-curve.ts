// The whole training loss of an arm in a bounded number of points, for the sparkline: each
// point is the mean of `stepsPerPoint` consecutive steps, and when the points outgrow their
// capacity neighbours merge pairwise and the steps per point double. So the screen always
// shows the curve from the first step, whatever the length of the training.

interface Bucket {
  readonly sum: number
  readonly count: number
}

export interface LossCurve {
  readonly buckets: ReadonlyArray<Bucket>
  readonly stepsPerPoint: number
}

export const emptyLossCurve: LossCurve = { buckets: [], stepsPerPoint: 1 }

/** Most points a curve keeps; even, so merging pairs leaves whole buckets. */
export const lossCurveCapacity = 24

const mergedPairs = (buckets: ReadonlyArray<Bucket>): Array<Bucket> =>
  Array.from({ length: Math.ceil(buckets.length / 2) }, (_, i) => {
    const [a, b] = [buckets[2 * i] as Bucket, buckets[2 * i + 1]]
    return b === undefined ? a : { sum: a.sum + b.sum, count: a.count + b.count }
  })

export const addLoss = (curve: LossCurve, loss: number): LossCurve => {
  const last = curve.buckets.at(-1)
  const buckets =
    last !== undefined && last.count < curve.stepsPerPoint
      ? [...curve.buckets.slice(0, -1), { sum: last.sum + loss, count: last.count + 1 }]
      : [...curve.buckets, { sum: loss, count: 1 }]
  return buckets.length > lossCurveCapacity
    ? { buckets: mergedPairs(buckets), stepsPerPoint: curve.stepsPerPoint * 2 }
    : { buckets, stepsPerPoint: curve.stepsPerPoint }
}

/** Mean loss of each point, oldest first. */
export const lossPoints = (curve: LossCurve): Array<number> => curve.buckets.map((b) => b.sum / b.count)
