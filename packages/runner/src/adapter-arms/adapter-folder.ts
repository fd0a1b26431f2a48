// Where an existing adapter named by a spec (an adapter arm's path, a trainable arm's init_from)
// or by `peftlab predict --adapter` lives. A folder is used as it is; a Hugging Face id
// (org/name) is found offline only: under $PEFTLAB_MODELS, then in the hub cache, as
// huggingface_hub lays it out (models--org--name/snapshots/<commit>/). Its adapter_config.json is
// read here for the checks made before anything runs; the adapter's loader reads it again strictly.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { Effect, Result } from "effect"
import { decodeJsonFile, InputError } from "@peftlab/core"
import { hubSettings, repoFolderName, type HubError } from "@peftlab/hub"
import { adapterConfigFile, PeftConfigFile } from "@peftlab/adapters-base"
import { envDefaults, isHubModelId, type Env } from "@peftlab/spec"

/** The adapter's folder, or every place looked at when there is none. */
export type AdapterFolder = { readonly dir: string } | { readonly looked: ReadonlyArray<string> }

const isFolder = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true

/** The cached snapshot `refs/main` names, else any snapshot holding adapter_config.json. */
const cachedSnapshot = (repoDir: string): string | undefined => {
  const snapshots = join(repoDir, "snapshots")
  const main = join(repoDir, "refs", "main")
  const commit = existsSync(main) ? readFileSync(main, "utf8").trim() : undefined
  if (commit !== undefined && isFolder(join(snapshots, commit))) return join(snapshots, commit)
  const all = isFolder(snapshots) ? readdirSync(snapshots).sort() : []
  return all.map((name) => join(snapshots, name)).find((dir) => existsSync(join(dir, adapterConfigFile)))
}

export const findAdapterFolder = (written: string, env: Env = process.env): Effect.Effect<AdapterFolder, HubError> =>
  Effect.gen(function* () {
    const local = resolve(written)
    if (isFolder(local)) return { dir: local }
    if (!isHubModelId(written)) return { looked: [local] }
    const models = resolve(env["PEFTLAB_MODELS"] || (envDefaults["PEFTLAB_MODELS"] as string), written)
    if (isFolder(models)) return { dir: models }
    const repoDir = join((yield* hubSettings(env)).cacheDir, repoFolderName("model", written))
    const snapshot = cachedSnapshot(repoDir)
    return (snapshot === undefined ? { looked: [local, models, join(repoDir, "snapshots")] } : { dir: snapshot })
  })

/** What a missing adapter's error says after the field or flag that named it. */
export const notFound = (written: string, looked: ReadonlyArray<string>): string =>
  `no adapter folder for ${JSON.stringify(written)} (looked in ${looked.join(", ")}); expected a folder with ${adapterConfigFile}, or a Hugging Face id found under $PEFTLAB_MODELS or in the Hugging Face cache`

/** An adapter named by a spec field or a flag that is nowhere to be found. */
export class AdapterNotFound extends InputError("AdapterNotFound") {}

/** The folder of the adapter `written` in `source` (arms[2].path, --adapter) names, or AdapterNotFound. */
export const requireAdapterFolder = (written: string, source: string, env: Env = process.env) =>
  Effect.flatMap(findAdapterFolder(written, env), (found) =>
    "dir" in found ? Effect.succeed(found.dir) : Effect.fail(new AdapterNotFound({ source, detail: notFound(written, found.looked) })),
  )

export type AdapterConfig = Readonly<Record<string, unknown>>

/** The adapter_config.json in `dir`, or why it cannot be read. */
export const readAdapterConfig = (dir: string): { readonly config: AdapterConfig } | { readonly problem: string } => {
  const file = join(dir, adapterConfigFile)
  const read = decodeJsonFile(file, PeftConfigFile)
  return Result.isSuccess(read) ? { config: read.success } : { problem: `cannot read ${file}: ${read.failure}` }
}
