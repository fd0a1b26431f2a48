// What the adapter goldens drivers (adapters.ts, ptuning.ts) share: a case's batch as the Python
// scripts read it, and one run of a script of packages/references/python in .venv-goldens, from the
// repository root (so a case's tokenizer path is relative to it), with PEFT's and transformers'
// warnings and any failure straight on this process's stderr.
import { spawn } from "node:child_process"
import { join } from "node:path"
import { goldensPython } from "@peftlab/references"
import type { AdapterGoldens, GoldenBatch, RecordedLayer } from "@peftlab/testkit/peft-goldens"

export const repoRoot = join(import.meta.dirname, "..", "..")

/** A case's model folder and batch, in the scripts' field names. */
export const batchFields = (model: string, seq2seq: boolean, batch: GoldenBatch) => ({
  model,
  seq2seq,
  ids: batch.ids,
  mask: batch.mask,
  ...(batch.decoderIds && { decoder_ids: batch.decoderIds }),
})

/** The script's answer: each case's logits, and the recorded 8-bit layers where a case asked (record_layers). */
export type ScriptAnswer = Omit<AdapterGoldens, "cases"> & { cases: Array<{ logits: number[][][]; layers?: Array<RecordedLayer> }> }

/** `script` (e.g. peft_goldens.py) on `cases`; exits this process when the venv is missing (2) or the script fails (1). */
export const runPeftScript = async (script: string, cases: ReadonlyArray<unknown>): Promise<ScriptAnswer> => {
  const python = goldensPython()
  if (python === undefined) {
    console.error("goldens: no .venv-goldens at the repository root (.ci/run makes it from packages/references/python/requirements.txt)")
    process.exit(2)
  }
  const child = spawn(python, [join(repoRoot, "packages", "references", "python", script)], { cwd: repoRoot, stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, PYTHONHASHSEED: "0" } })
  child.stdin.end(JSON.stringify({ cases }))
  const chunks: Buffer[] = []
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk))
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
  if (code !== 0) {
    console.error(`goldens: ${script} exited with ${code}`)
    process.exit(1)
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as ScriptAnswer
}
