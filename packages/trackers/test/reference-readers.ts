// TensorBoard's and MLflow's own readers (read_with_references.py in the venv that .ci/run makes
// from tools/references/requirements.txt), for this package's tests and the end-to-end run's.
import { spawnSync } from "node:child_process"
import { join, resolve } from "node:path"
import { expect } from "vitest"

const repo = resolve(import.meta.dirname, "../../..")
const script = join(import.meta.dirname, "read_with_references.py")

/** A Python that has tensorboard and mlflow ($PEFTLAB_REFERENCE_PYTHON, else .venv-references), or why there is none. */
export const findReaders = (): { readonly python: string } | { readonly missing: string } => {
  const candidates = [process.env["PEFTLAB_REFERENCE_PYTHON"], join(repo, ".venv-references", "bin", "python")].filter((p): p is string => !!p)
  const tried: Array<string> = []
  for (const python of candidates) {
    const probe = spawnSync(python, ["-c", "import tensorboard, mlflow"], { encoding: "utf8" })
    if (probe.status === 0) return { python }
    tried.push(`${python}: ${probe.error?.message ?? probe.stderr.trim().split("\n").pop()}`)
  }
  return {
    missing:
      `no Python with tensorboard and mlflow (${tried.join("; ")}); create one with ` +
      "`python3 -m venv .venv-references && .venv-references/bin/pip install -r tools/references/requirements.txt` " +
      "or set PEFTLAB_REFERENCE_PYTHON",
  }
}

/** read_with_references.py's JSON for `args` (e.g. "tensorboard", LOGDIR); it must say nothing on stderr. */
export const readWithReferences = (python: string, ...args: Array<string>): unknown => {
  const result = spawnSync(python, [script, ...args], { encoding: "utf8", timeout: 120_000 })
  if (result.status !== 0) throw new Error(`read_with_references.py ${args[0]} failed: ${result.error?.message ?? result.stderr}`)
  // Anything on stderr (a malformed experiment or run mlflow skipped, a TensorBoard warning) is a finding.
  expect(result.stderr).toBe("")
  return JSON.parse(result.stdout)
}
