import { appendFile, mkdir } from "node:fs/promises"
import { join } from "node:path"

/**
 * Appends one JSON line to train_log.jsonl. Not atomic like the other files: a log grows
 * line by line, and a single appendFile call writes its line whole.
 */
export const appendTrainLog = async (dir: string, record: object): Promise<void> => {
  await mkdir(dir, { recursive: true })
  await appendFile(join(dir, "train_log.jsonl"), `${JSON.stringify(record)}\n`, "utf8")
}
