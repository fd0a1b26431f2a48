// The repository root for the cli's tests: the quickstart spec, and running a command from there,
// where `npm start` runs and the quickstart's relative paths resolve.
import { join } from "node:path"

export const repoRoot = join(import.meta.dirname, "..", "..", "..")
export const quickstart = join(repoRoot, "specs", "quickstart.yaml")

/** Runs `command` from the repository root. */
export const fromRepoRoot = async <A>(command: () => Promise<A>): Promise<A> => {
  const saved = process.cwd()
  process.chdir(repoRoot)
  try {
    return await command()
  } finally {
    process.chdir(saved)
  }
}
