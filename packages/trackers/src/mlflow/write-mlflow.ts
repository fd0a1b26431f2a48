// Writes a peftlab run's arms as finished runs of an MLflow file store (the layout of mlflow's
// FileStore), so `mlflow ui --backend-store-uri file:<root>` shows and compares them with no
// tracker installed. Each run is built beside its final folder and renamed into place whole.
import { writeFileAtomic } from "@peftlab/core"
import { createHash } from "node:crypto"
import { cp, mkdir, rename, rm, stat, unlink } from "node:fs/promises"
import { userInfo } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { checkDistinctArms, trainingScalars, type TrackedArm } from "../tracked-arm.ts"
import { checkKey, checkKeysFit, checkValueLength, isPlainRelativePath, MlflowInputError } from "./keys.ts"
import { toMetaYaml } from "./meta-yaml.ts"
import { experimentOfRun, openExperiment, type StoreExperiment } from "./store.ts"

/** An arm as an MLflow run: the seed its run id is derived from, and tags of the caller's own. */
export interface MlflowRun extends TrackedArm {
  /** Same seed, same run id: rewriting a run replaces it (e.g. fingerprint + "\0" + arm). */
  readonly runIdSeed: string
  /** Extra run tags, e.g. `peftlab.fingerprint`; the `mlflow.*` tags written here take precedence. */
  readonly tags?: Readonly<Record<string, string>>
}

/** mlflow's RunStatus.FINISHED and SourceType.LOCAL, as meta.yaml stores them. */
const FINISHED = 3
const LOCAL = 4

/** The run id of a seed: the first 32 hex digits of its SHA-256, shaped like mlflow's uuid4 hex ids. */
export const runIdOf = (seed: string): string => createHash("sha256").update(seed).digest("hex").slice(0, 32)

/**
 * Writes each run into the experiment named `experiment` of the file store at `root` (found by
 * name, or created), replacing any earlier run of the same id. Every run is checked (keys,
 * values, artifacts, run ids) before any is written, so bad input writes no run. Metrics: the series of
 * `trainingScalars` (`train/loss`, `train/lr`, `epoch/train_loss`, `validation/<metric>`, …) with
 * their steps, and each test metric under its results.csv name at step 0.
 */
export const writeMlflow = async (
  root: string,
  experiment: string,
  runs: ReadonlyArray<MlflowRun>,
  options: { readonly time?: number; readonly user?: string } = {},
): Promise<{ experimentId: string; runIds: ReadonlyArray<string> }> => {
  checkDistinctArms(runs)
  const time = Math.round(options.time ?? Date.now())
  const user = options.user ?? currentUser()
  const planned = await Promise.all(runs.map((run) => planRun(run, user)))
  const seen = new Map<string, string>()
  for (const { runId, run } of planned) {
    const other = seen.get(runId)
    if (other !== undefined) throw new MlflowInputError({ source: `arms "${other}" and "${run.arm}"`, detail: `share run id ${runId}; give each a different runIdSeed` })
    seen.set(runId, run.arm)
  }
  const store = await openExperiment(root, experiment, time)
  for (const plan of planned) await checkPlace(root, store, plan)
  for (const plan of planned) await writeRun(store, plan, time)
  return { experimentId: store.id, runIds: planned.map((p) => p.runId) }
}

interface RunPlan {
  readonly run: MlflowRun
  readonly runId: string
  readonly user: string
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly tags: ReadonlyArray<readonly [string, string]>
  /** Metric key -> its lines (value and step; the timestamp is added when written). */
  readonly metrics: ReadonlyMap<string, ReadonlyArray<{ readonly step: number; readonly value: number }>>
}

// Everything MLflow would refuse is found here, before the store is touched.
const planRun = async (run: MlflowRun, user: string): Promise<RunPlan> => {
  const owner = `arm "${run.arm}"`
  const params = Object.entries(run.params).map(([key, value]) => [key, String(value)] as const)
  const tags = Object.entries({
    ...run.tags,
    "mlflow.runName": run.arm,
    "mlflow.source.name": "peftlab",
    "mlflow.source.type": "LOCAL",
    "mlflow.user": user,
  })
  const metrics = new Map<string, Array<{ step: number; value: number }>>()
  for (const { series, step, value } of trainingScalars(run)) {
    const lines = metrics.get(series) ?? []
    metrics.set(series, [...lines, { step, value }])
  }
  for (const [name, value] of Object.entries(run.test)) {
    if (metrics.has(name)) throw new MlflowInputError({ source: `${owner}: test metric "${name}"`, detail: "has the name of a training series" })
    metrics.set(name, [{ step: 0, value }])
  }
  for (const [key, value] of params) {
    checkKey("param", key, owner)
    checkValueLength("param", key, value, owner)
  }
  for (const [key, value] of tags) {
    checkKey("tag", key, owner)
    checkValueLength("tag", key, value, owner)
  }
  for (const key of metrics.keys()) checkKey("metric", key, owner)
  checkKeysFit("param", params.map(([key]) => key), owner)
  checkKeysFit("tag", tags.map(([key]) => key), owner)
  checkKeysFit("metric", [...metrics.keys()], owner)
  for (const { from, to } of run.artifacts) {
    if (!isPlainRelativePath(to) || to.includes("\\")) {
      throw new MlflowInputError({ source: `${owner}: artifact "${to}"`, detail: "must be a plain relative path inside artifacts/ (no empty, . or .. parts)" })
    }
    if (!(await exists(from))) throw new MlflowInputError({ source: `${owner}: artifact "${to}"`, detail: `${from} does not exist` })
  }
  return { run, runId: runIdOf(run.runIdSeed), user, params, tags, metrics }
}

const artifactUriOf = (store: StoreExperiment, runId: string): string => `${store.artifactLocation.replace(/\/+$/, "")}/${runId}/artifacts`

// What only the store can tell: a run id taken in another experiment, artifacts that would belong elsewhere.
const checkPlace = async (root: string, store: StoreExperiment, { run, runId }: RunPlan): Promise<void> => {
  const elsewhere = await experimentOfRun(root, runId)
  if (elsewhere !== undefined && elsewhere !== store.id) {
    throw new MlflowInputError({ source: `arm "${run.arm}": run ${runId}`, detail: `already exists in experiment ${elsewhere} of ${root}; give it a different runIdSeed or delete that run` })
  }
  const artifactUri = artifactUriOf(store, runId)
  if (run.artifacts.length > 0 && !(artifactUri.startsWith("file:") && resolve(fileURLToPath(artifactUri)) === resolve(store.dir, runId, "artifacts"))) {
    throw new MlflowInputError({ source: `experiment ${store.id}: artifact_location ${store.artifactLocation}`, detail: "is not this store's experiment folder; peftlab copies artifacts only into the store" })
  }
}

const writeRun = async (store: StoreExperiment, plan: RunPlan, time: number): Promise<void> => {
  const { run, runId } = plan
  const runDir = join(store.dir, runId)
  // mlflow lists every folder of an experiment but skips those without meta.yaml, so the staging
  // folder stays invisible until it is renamed into place, meta.yaml written last.
  const staging = join(store.dir, `.${runId}.staging-${process.pid}`)
  await rm(staging, { recursive: true, force: true })
  try {
    for (const [key, value] of plan.params) await writeFileAtomic(join(staging, "params", key), value)
    for (const [key, value] of plan.tags) await writeFileAtomic(join(staging, "tags", key), value)
    for (const [key, lines] of plan.metrics) {
      await writeFileAtomic(join(staging, "metrics", key), lines.map(({ step, value }) => `${time} ${value} ${step}\n`).join(""))
    }
    // mlflow takes a folder for a run only when these three are there, even empty.
    for (const sub of ["params", "metrics", "artifacts"]) await mkdir(join(staging, sub), { recursive: true })
    for (const { from, to } of run.artifacts) await cp(from, join(staging, "artifacts", to), { recursive: true })
    await writeFileAtomic(
      join(staging, "meta.yaml"),
      toMetaYaml({
        artifact_uri: artifactUriOf(store, runId),
        end_time: time,
        entry_point_name: "",
        experiment_id: store.id,
        lifecycle_stage: "active",
        run_id: runId,
        run_name: run.arm,
        run_uuid: runId,
        source_name: "",
        source_type: LOCAL,
        source_version: "",
        start_time: time,
        status: FINISHED,
        tags: [],
        user_id: plan.user,
      }),
    )
    // The old run disappears from listings with its meta.yaml, then its folder makes way for the new one.
    const old = join(store.dir, `.${runId}.old-${process.pid}`)
    if (await exists(runDir)) {
      await unlink(join(runDir, "meta.yaml")).catch(() => undefined)
      await rename(runDir, old)
    }
    await rename(staging, runDir)
    await rm(old, { recursive: true, force: true })
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  )

const currentUser = (): string => {
  try {
    return userInfo().username
  } catch {
    return "unknown"
  }
}
