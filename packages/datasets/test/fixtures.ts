// Small data files written to a fresh temp dir, so loader tests need no shared data.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const writeTempFile = (name: string, content: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), "peftlab-datasets-")), name)
  writeFileSync(path, content)
  return path
}

export const entry = (question: string, contexts: unknown, label: string) => ({
  QUESTION: question,
  CONTEXTS: contexts,
  final_decision: label,
  LONG_ANSWER: `long answer to ${question}`,
})
