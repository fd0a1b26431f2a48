import { armFile } from "./arm-file.ts"
import { writeFileAtomic } from "@peftlab/core"
import { toCsv } from "./csv.ts"

/** confusion_<arm>.csv: rows gold, columns predicted, both in `labels` order; header `gold\pred,<labels>`. */
export const writeConfusion = async (
  dir: string,
  arm: string,
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
): Promise<void> => {
  if (matrix.length !== labels.length || matrix.some((row) => row.length !== labels.length)) {
    throw new RangeError(`confusion matrix for arm ${arm} must be ${labels.length}×${labels.length}, one row and column per label`)
  }
  return writeFileAtomic(
    armFile(dir, "confusion_", arm, ".csv"),
    toCsv(["gold\\pred", ...labels], matrix.map((row, i) => [labels[i]!, ...row])),
  )
}
