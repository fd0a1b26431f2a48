// Runs the real `peftlab` command in a child process, as a user would.
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parse, stringify } from "yaml"

export const repoRoot = join(import.meta.dirname, "..", "..")
export const bin = join(repoRoot, "packages", "cli", "bin", "peftlab.js")

export const peftlab = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

export const peftlabChild = (args: ReadonlyArray<string>) =>
  spawn(process.execPath, [bin, ...args], { env: process.env, stdio: ["ignore", "pipe", "pipe"] })

/**
 * The quickstart spec with some fields changed, written to a temporary folder. Its embedded model
 * and data paths, relative to the repository root where `npm start` runs, are made absolute.
 */
export const quickstartVariant = (change: (spec: Record<string, any>) => void): { file: string; dir: string } => {
  const spec = parse(readFileSync(join(repoRoot, "specs", "quickstart.yaml"), "utf8")) as Record<string, any>
  spec.data.path = resolve(repoRoot, spec.data.path)
  spec.model.path = resolve(repoRoot, spec.model.path)
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
 * The config of shared model `name` with `changes`, written into `dir` as a random checkpoint
 * (tools/checkpoints) beside that model's tokenizer files; throws with the tool's output when it fails.
 */
const shrunkCheckpoint = (dir: string, name: string, changes: Record<string, number>): string => {
  const source = join(process.env.PEFTLAB_MODELS ?? "", name)
  const config = JSON.parse(readFileSync(join(source, "config.json"), "utf8")) as Record<string, unknown>
  const configPath = join(dir, `tiny-${name}.json`)
  writeFileSync(configPath, JSON.stringify({ ...config, ...changes }))
  const out = join(dir, `tiny-${name}`)
  const made = spawnSync(process.execPath, [join(repoRoot, "tools", "checkpoints", "make-checkpoint.ts"), "--config", configPath, "--out", out, "--seed", "3", "--tokenizer-from", source], { encoding: "utf8" })
  if (made.status !== 0 || made.stderr !== "") throw new Error(`make-checkpoint failed (${made.status}): ${made.stderr}`)
  return out
}

/** FLAN-T5-small's config and tokenizer, shrunk to a test-sized random model. */
export const tinyFlanT5 = (dir: string): string => shrunkCheckpoint(dir, "flan-t5-small", { d_model: 32, d_kv: 8, d_ff: 48, num_layers: 2, num_decoder_layers: 2, num_heads: 4 })

/** bert-tiny's config and uncased WordPiece tokenizer, narrowed to a test-sized random encoder. */
export const tinyBert = (dir: string): string => shrunkCheckpoint(dir, "bert-tiny", { hidden_size: 32, intermediate_size: 64, num_attention_heads: 2 })
