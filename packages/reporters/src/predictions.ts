import { armFile } from "./arm-file.ts"
import { writeFileAtomic } from "@peftlab/core"
import { toCsv } from "./csv.ts"

export interface PredictionRow {
  readonly id: string
  readonly gold: string
  readonly pred: string
  readonly score: number
}

/** preds_<arm>_<split>.csv: one row per example of the test split (or evaluation.external_test's set), columns id,gold,pred,score. */
export const writePredictions = async (dir: string, arm: string, rows: readonly PredictionRow[], split: "test" | "external" = "test"): Promise<void> =>
  writeFileAtomic(
    armFile(dir, "preds_", arm, `_${split}.csv`),
    toCsv(["id", "gold", "pred", "score"], rows.map((r) => [r.id, r.gold, r.pred, r.score])),
  )
