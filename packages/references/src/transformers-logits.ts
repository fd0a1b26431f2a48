// Runs python/causal_logits.py (transformers' forward pass) in the goldens venv: the live side of
// the model goldens, used by their generator (tools/goldens/) and by the tests' live cross-checks.
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

/** PEFTLAB_GOLDENS_PYTHON, else .venv-goldens's python at the repository root (.ci/run makes it); undefined when neither exists. */
export const goldensPython = (): string | undefined => {
  const python = process.env["PEFTLAB_GOLDENS_PYTHON"] ?? join(import.meta.dirname, "..", "..", "..", ".venv-goldens", "bin", "python")
  return existsSync(python) ? python : undefined
}

export interface LogitsRequest {
  readonly dir: string
  readonly ids: ReadonlyArray<ReadonlyArray<number>>
  readonly mask: ReadonlyArray<ReadonlyArray<number>>
}

export interface LogitsAnswer {
  readonly transformers: string
  readonly torch: string
  readonly cases: ReadonlyArray<{ readonly logits: Array<Array<Array<number>>> }>
}

/** transformers' float32 logits for each request, in one python process. */
export const transformersLogits = async (python: string, cases: ReadonlyArray<LogitsRequest>): Promise<LogitsAnswer> => {
  const child = run(python, [join(import.meta.dirname, "..", "python", "causal_logits.py")], { maxBuffer: 256 << 20 })
  child.child.stdin!.end(JSON.stringify({ cases }))
  const { stdout } = await child
  return JSON.parse(stdout) as LogitsAnswer
}
