// Runs the real `peftlab` command in a child process, as a user would.
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parse, stringify } from "yaml"

export const repoRoot = join(import.meta.dirname, "..", "..")
export const bin = join(repoRoot, "packages", "cli", "bin", "peftlab.js")

export const peftlab = (args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: process.env })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

export const peftlabChild = (args: ReadonlyArray<string>) =>
  spawn(process.execPath, [bin, ...args], { env: process.env, stdio: ["ignore", "pipe", "pipe"] })

/** The quickstart spec with some fields changed, written to a temporary folder. */
export const quickstartVariant = (change: (spec: Record<string, any>) => void): { file: string; dir: string } => {
  const spec = parse(readFileSync(join(repoRoot, "specs", "quickstart.yaml"), "utf8")) as Record<string, any>
  change(spec)
  const dir = mkdtempSync(join(tmpdir(), "peftlab-e2e-"))
  const file = join(dir, "spec.yaml")
  writeFileSync(file, stringify(spec))
  return { file, dir }
}

/** A run small enough for CI: a few examples per split, short prompts, one or two epochs. */
export const tinyRun = (spec: Record<string, any>) => {
  spec.data.limit = { train: 16, val: 12, test: 12 }
  spec.training.epochs = 2
  spec.stats.bootstrap.B = 200
  spec.training.checkpoint_every = 1
}

/**
 * A FLAN-T5-small config shrunk to a test-sized model, written into `dir` with tools/checkpoints
 * beside FLAN-T5's tokenizer files; throws with the tool's output when it fails.
 */
export const tinyFlanT5 = (dir: string): string => {
  const flan = join(process.env.PEFTLAB_MODELS ?? "", "flan-t5-small")
  const config = JSON.parse(readFileSync(join(flan, "config.json"), "utf8")) as Record<string, unknown>
  const configPath = join(dir, "tiny-flan-t5.json")
  writeFileSync(configPath, JSON.stringify({ ...config, d_model: 32, d_kv: 8, d_ff: 48, num_layers: 2, num_decoder_layers: 2, num_heads: 4 }))
  const out = join(dir, "tiny-flan-t5")
  const made = spawnSync(process.execPath, [join(repoRoot, "tools", "checkpoints", "make-checkpoint.ts"), "--config", configPath, "--out", out, "--seed", "3", "--tokenizer-from", flan], { encoding: "utf8" })
  if (made.status !== 0 || made.stderr !== "") throw new Error(`make-checkpoint failed (${made.status}): ${made.stderr}`)
  return out
}
