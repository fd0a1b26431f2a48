// Finds the experiment a run goes to in an MLflow file store, or creates it, the way mlflow's
// FileStore lays them out (<root>/<id>/meta.yaml, deleted ones under <root>/.trash/), so several
// peftlab runs, and runs logged by mlflow itself, share one store and one experiment per name.
import { writeFileAtomic } from "@peftlab/core"
import { createHash } from "node:crypto"
import { mkdir, readdir, readFile, stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { limits, MlflowInputError } from "./keys.ts"
import { parseMetaYaml, toMetaYaml } from "./meta-yaml.ts"

export interface StoreExperiment {
  readonly id: string
  /** The experiment's folder, <root>/<id>. */
  readonly dir: string
  /** Where its runs' artifacts go: a URI, `file:///<root>/<id>` for experiments made here. */
  readonly artifactLocation: string
}

/** The folder mlflow moves deleted experiments to; not an experiment itself. */
const TRASH = ".trash"
/** The model registry's folder at the store root; not an experiment either. */
const MODELS = "models"
/** The experiment mlflow creates with every new store; `mlflow.start_run()` without one logs there. */
const DEFAULT_EXPERIMENT = { id: "0", name: "Default" }

/**
 * The active experiment of `root` named `name`, created (with a numeric id derived from the name)
 * when there is none. Also creates the store's `.trash` folder and its Default experiment `0`, as
 * mlflow does for a new store. Throws when only a deleted experiment has that name.
 */
export const openExperiment = async (root: string, name: string, time: number): Promise<StoreExperiment> => {
  if (name.trim() === "" || name.length > limits.experimentName) {
    throw new MlflowInputError({ source: `experiment "${name}"`, detail: `MLflow needs a name of 1 to ${limits.experimentName} characters, not all spaces` })
  }
  if (name.includes("'")) {
    // mlflow's file store looks experiments up with the filter `name = '<name>'`, unescaped.
    throw new MlflowInputError({ source: `experiment "${name}"`, detail: "contains ', which MLflow's file store cannot look up by name" })
  }
  await mkdir(join(root, TRASH), { recursive: true })
  const active = await experiments(root)
  const deleted = await experiments(join(root, TRASH))
  if (!active.some((e) => e.id === DEFAULT_EXPERIMENT.id) && !deleted.some((e) => e.id === DEFAULT_EXPERIMENT.id)) {
    await createExperiment(root, DEFAULT_EXPERIMENT.id, DEFAULT_EXPERIMENT.name, time)
  }
  const found = active.find((e) => e.name === name)
  if (found) return found
  if (deleted.some((e) => e.name === name)) {
    throw new MlflowInputError({
      source: `experiment "${name}" in ${root}`,
      detail: `is deleted (in ${TRASH}); restore it (mlflow experiments restore) or remove it from ${TRASH} first`,
    })
  }
  const taken = new Set([...(await readdir(root)), ...(await readdir(join(root, TRASH)))])
  let id = experimentIdOf(name, 0)
  for (let attempt = 1; taken.has(id); attempt++) id = experimentIdOf(name, attempt)
  return createExperiment(root, id, name, time)
}

/**
 * The id of the experiment, active or deleted, that holds a run folder `runId`, if any.
 * mlflow finds runs by id across the whole store, so one id must not sit in two experiments.
 */
export const experimentOfRun = async (root: string, runId: string): Promise<string | undefined> => {
  for (const experiment of [...(await experiments(root)), ...(await experiments(join(root, TRASH)))]) {
    if (await isFolder(join(experiment.dir, runId))) return experiment.id
  }
  return undefined
}

// An 18-digit number like mlflow's own ids (uuid4-derived, no leading zero), but from the name,
// so the same experiment gets the same id in every fresh store.
const experimentIdOf = (name: string, attempt: number): string => {
  const digest = createHash("sha256").update(`peftlab experiment\0${name}\0${attempt}`).digest()
  return String(10n ** 17n + (digest.readBigUInt64BE(0) % (9n * 10n ** 17n)))
}

const createExperiment = async (root: string, id: string, name: string, time: number): Promise<StoreExperiment> => {
  const dir = join(root, id)
  const artifactLocation = pathToFileURL(resolve(dir)).href
  await writeFileAtomic(
    join(dir, "meta.yaml"),
    toMetaYaml({
      artifact_location: artifactLocation,
      creation_time: time,
      experiment_id: id,
      last_update_time: time,
      lifecycle_stage: "active",
      name,
    }),
  )
  return { id, dir, artifactLocation }
}

// The experiments directly under `parent` whose meta.yaml is readable and names its own folder;
// mlflow skips the others the same way.
const experiments = async (parent: string): Promise<ReadonlyArray<StoreExperiment & { readonly name: string }>> => {
  const found: Array<StoreExperiment & { readonly name: string }> = []
  for (const entry of await readdir(parent, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === TRASH || entry.name === MODELS) continue
    const dir = join(parent, entry.name)
    const text = await readFile(join(dir, "meta.yaml"), "utf8").catch(() => undefined)
    if (text === undefined) continue
    const meta = parseMetaYaml(text)
    const name = meta.get("name")
    const artifactLocation = meta.get("artifact_location")
    if (meta.get("experiment_id") !== entry.name || name == null || artifactLocation == null) continue
    found.push({ id: entry.name, dir, name, artifactLocation })
  }
  return found
}

const isFolder = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  )
