// A temporary folder per test, removed after it, for any package's tests that write files.
// Exported on its own path (@peftlab/testkit/tmp-dir), so using it loads no model code.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach } from "vitest"

/** A fresh temporary folder per test (named `peftlab-<name>-…`), made on first use and removed afterwards. */
export const useTmpDir = (name: string): (() => string) => {
  let dir = ""
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = ""
  })
  return () => (dir ||= mkdtempSync(join(tmpdir(), `peftlab-${name}-`)))
}
