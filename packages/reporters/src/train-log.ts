import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"

/** Writes train_log.jsonl: one JSON object a line (training steps and epochs, per arm). */
export const writeTrainLog = (dir: string, records: ReadonlyArray<object>): Promise<void> =>
  writeFileAtomic(join(dir, "train_log.jsonl"), records.map((r) => `${JSON.stringify(r)}\n`).join(""))
