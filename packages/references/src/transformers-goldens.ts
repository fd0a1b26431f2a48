// Runs python/model_goldens.py (transformers' forward passes, losses and greedy generation) in the
// goldens venv, every case in one python process: the live side of the model goldens, used by
// their generator (tools/goldens/models.ts) and by the tests' live cross-check.
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

type Rows = ReadonlyArray<ReadonlyArray<number>>

/** One case as model_goldens.py reads it: a checkpoint folder, its kind, and the batch. */
export type GoldenRequest =
  | { readonly kind: "causal"; readonly dir: string; readonly ids: Rows; readonly mask: Rows; readonly labels?: Rows; readonly generate?: number }
  | { readonly kind: "seq2seq"; readonly dir: string; readonly ids: Rows; readonly mask: Rows; readonly decoder_ids: Rows; readonly labels?: Rows; readonly generate?: number }
  | { readonly kind: "encoder"; readonly dir: string; readonly ids: Rows; readonly mask: Rows; readonly token_type_ids?: Rows }

export interface GoldenAnswer {
  readonly transformers: string
  readonly torch: string
  /** Per request, what applies to its kind (see model_goldens.py). */
  readonly cases: ReadonlyArray<{
    readonly logits?: Array<Array<Array<number>>>
    readonly hidden?: Array<Array<Array<number>>>
    readonly pooled?: Array<Array<number>>
    readonly loss?: number
    readonly generated?: Array<Array<number>>
  }>
}

/** transformers' float32 outputs for each request. */
export const transformersGoldens = async (python: string, cases: ReadonlyArray<GoldenRequest>): Promise<GoldenAnswer> => {
  // Offline: every case is a local folder.
  const child = run(python, [join(import.meta.dirname, "..", "python", "model_goldens.py")], { maxBuffer: 256 << 20, env: { ...process.env, HF_HUB_OFFLINE: "1" } })
  child.child.stdin!.end(JSON.stringify({ cases }))
  const { stdout } = await child
  return JSON.parse(stdout) as GoldenAnswer
}
