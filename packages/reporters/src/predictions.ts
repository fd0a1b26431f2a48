import { armFile } from "./arm-file.ts"
import { writeFileAtomic } from "@peftlab/core"
import { toCsv } from "./csv.ts"

export interface PredictionRow {
  readonly id: string
  readonly gold: string
  readonly pred: string
  readonly score: number
}

/** preds_<arm>_test.csv: one row per test example, columns id,gold,pred,score. */
export const writePredictions = async (dir: string, arm: string, rows: readonly PredictionRow[]): Promise<void> =>
  writeFileAtomic(
    armFile(dir, "preds_", arm, "_test.csv"),
    toCsv(["id", "gold", "pred", "score"], rows.map((r) => [r.id, r.gold, r.pred, r.score])),
  )
