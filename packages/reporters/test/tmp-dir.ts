import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach } from "vitest"

/** A fresh temporary folder per test, removed afterwards. */
export const useTmpDir = (): (() => string) => {
  let dir = ""
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = ""
  })
  return () => (dir ||= mkdtempSync(join(tmpdir(), "peftlab-reporters-")))
}
