// Small data files written to a fresh temp dir, so loader tests need no shared data.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

export const writeTempFile = (name: string, content: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), "peftlab-datasets-")), name)
  writeFileSync(path, content)
  return path
}

/** Writes `relative path → content` under a fresh temp dir and returns the dir. */
export const writeTempTree = (files: Readonly<Record<string, string>>): string => {
  const root = mkdtempSync(join(tmpdir(), "peftlab-datasets-"))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

export const entry = (question: string, contexts: unknown, label: string) => ({
  QUESTION: question,
  CONTEXTS: contexts,
  final_decision: label,
  LONG_ANSWER: `long answer to ${question}`,
})
