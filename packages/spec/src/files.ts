// Checks that the files a spec names exist, before any work starts. When a path came from
// a variable, the message says where the variable's value came from and what to set it to.
import { stat } from "node:fs/promises"
import { isAbsolute, join, resolve } from "node:path"
import { Effect } from "effect"
import type { ExpandedField } from "./env.ts"
import { type FieldIssue, renderFound, SpecError } from "./errors.ts"
import { type LoadedSpec, placeIssue } from "./load.ts"
import { type Path, renderPath } from "./path.ts"
import { dataFolderKinds } from "./schema.ts"

type Kind = "file" | "folder"

const kindAt = (path: string): Effect.Effect<Kind | undefined> =>
  Effect.promise(() =>
    stat(path).then(
      (stats) => (stats.isDirectory() ? "folder" : "file"),
      () => undefined,
    ),
  )

/** What a variable should point at, read off the text after it: `${V}/pubmedqa/x.json` → pubmedqa/. */
const variableTarget = (template: string, name: string): string => {
  const after = template.match(new RegExp(`\\$\\{${name}(?::-[^}]*)?\\}/([^/]+)`))?.[1]
  return after === undefined ? "the right value" : `the folder that holds ${after}/`
}

const variableHint = (field: ExpandedField): string => {
  const hints = field.uses.map((use) => {
    const origin =
      use.source === "env" ? `${use.name} is ${JSON.stringify(use.value)}` : `${use.name} is unset, so its default ${JSON.stringify(use.value)} was used`
    return `${origin}: set ${use.name} to ${variableTarget(field.template, use.name)}`
  })
  return ` (from ${field.template}; ${hints.join("; ")})`
}

const fileIssue = (loaded: LoadedSpec, path: Path, written: string, expected: string, problem: string): FieldIssue => {
  const field = loaded.variables.get(renderPath(path))
  const why =
    field !== undefined
      ? variableHint(field)
      : isAbsolute(written)
        ? ""
        : ` (relative paths resolve against the working directory ${process.cwd()})`
  return { path, expected, found: renderFound(written), message: `${problem}${why}` }
}

// The forms @peftlab/hub resolves when the run starts (downloaded, or found in the cache).
const remoteData = /^(https?|hf):\/\//i
const hubFile = /^hf:\/\/(datasets\/)?[^/@]+\/[^/@]+(@[^/]+)?\/./
// A .tar.gz URL is extracted into a folder; any other URL stays a file.
const isArchiveUrl = (url: URL): boolean => /^https?:$/.test(url.protocol) && /\.(tar\.gz|tgz)$/i.test(url.pathname)

/** What is wrong with `written` as the URL of the data's file or folder, if anything. */
const dataUrlProblem = (written: string, wanted: Kind): string | undefined => {
  const url = URL.parse(written)
  if (url === null) return "not a valid URL: expected one such as https://host/path/file.json"
  if (url.protocol === "hf:" && !hubFile.test(written)) return "not a valid hf:// URL: expected hf://datasets/org/name[@revision]/path/in/repo"
  if (wanted === "folder" && !isArchiveUrl(url)) return "data.kind reads a folder: its URL must name a .tar.gz or .tgz archive, which the run extracts"
  if (wanted === "file" && isArchiveUrl(url)) return "data.kind reads a file, but the run extracts a .tar.gz or .tgz URL into a folder"
  return undefined
}

/** A URL is not looked up here (the run resolves it), only checked for its form. */
const dataUrlIssues = (written: string, wanted: Kind): ReadonlyArray<FieldIssue> => {
  const problem = dataUrlProblem(written, wanted)
  const expected =
    wanted === "folder"
      ? "an http(s):// URL of a .tar.gz or .tgz archive of the data folder"
      : "an http(s):// URL or hf://datasets/org/name[@revision]/path of the data file"
  return problem === undefined ? [] : [{ path: ["data", "path"], expected, found: renderFound(written), message: problem }]
}

const dataFileIssues = (loaded: LoadedSpec): Effect.Effect<ReadonlyArray<FieldIssue>> => {
  const written = loaded.spec.data.path
  const absolute = resolve(written)
  const wanted: Kind = (dataFolderKinds as ReadonlyArray<string>).includes(loaded.spec.data.kind) ? "folder" : "file"
  if (remoteData.test(written)) return Effect.succeed(dataUrlIssues(written, wanted))
  return kindAt(absolute).pipe(
    Effect.map((kind) => {
      if (kind === wanted) return []
      const problem = kind === undefined ? `no ${wanted} at ${absolute}` : `${absolute} is a ${kind}, not a ${wanted}`
      return [fileIssue(loaded, ["data", "path"], written, `an existing data ${wanted}`, problem)]
    }),
  )
}

/** evaluation.external_test.path: a local data file (a folder, for medquad), like data.path's. */
const externalTestIssues = (loaded: LoadedSpec): Effect.Effect<ReadonlyArray<FieldIssue>> => {
  const external = loaded.spec.evaluation.external_test
  if (external === undefined) return Effect.succeed([])
  const absolute = resolve(external.path)
  const wanted: Kind = (dataFolderKinds as ReadonlyArray<string>).includes(external.kind ?? loaded.spec.data.kind) ? "folder" : "file"
  return kindAt(absolute).pipe(
    Effect.map((kind) => {
      if (kind === wanted) return []
      const problem = kind === undefined ? `no ${wanted} at ${absolute}` : `${absolute} is a ${kind}, not a ${wanted}`
      return [fileIssue(loaded, ["evaluation", "external_test", "path"], external.path, `an existing data ${wanted} (a local one: the external test set is not downloaded)`, problem)]
    }),
  )
}

/** "org/name": a Hugging Face model id, which the runner finds in the HF cache or downloads. */
export const isHubModelId = (written: string): boolean => /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(written) && !written.includes("..")

/** A model folder with config.json, or a Hugging Face id: model.path, and evaluation.bertscore.model's encoder. */
const modelFolderIssues = (loaded: LoadedSpec, path: Path, written: string): Effect.Effect<ReadonlyArray<FieldIssue>> => {
  const absolute = resolve(written)
  return Effect.gen(function* () {
    const kind = yield* kindAt(absolute)
    const expected = "a model folder with config.json, or a Hugging Face model id (org/name)"
    if (kind === undefined && isHubModelId(written)) return []
    if (kind === undefined) return [fileIssue(loaded, path, written, expected, `no folder at ${absolute}`)]
    if (kind === "file") return [fileIssue(loaded, path, written, expected, `${absolute} is a file, not a folder`)]
    const config = join(absolute, "config.json")
    if ((yield* kindAt(config)) === "file") return []
    return [fileIssue(loaded, path, written, expected, `no config.json in ${absolute}`)]
  })
}

/** evaluation.bertscore's encoder, found as model.path is, when the spec asks for BERTScore. */
const bertScoreModelIssues = (loaded: LoadedSpec): Effect.Effect<ReadonlyArray<FieldIssue>> => {
  const bertscore = loaded.spec.evaluation.bertscore
  return bertscore === undefined ? Effect.succeed([]) : modelFolderIssues(loaded, ["evaluation", "bertscore", "model"], bertscore.model)
}

/**
 * Fails when `data.path` is neither an existing file (a folder, for medquad) nor a well-formed
 * http(s):// or hf:// URL, `evaluation.external_test.path` not an existing file, or `model.path`
 * (and evaluation.bertscore.model) neither a folder with config.json nor a Hugging Face id. URLs
 * and ids are resolved, from the cache or the network, when the run starts.
 */
export const checkSpecFiles = (loaded: LoadedSpec): Effect.Effect<void, SpecError> =>
  Effect.all([dataFileIssues(loaded), modelFolderIssues(loaded, ["model", "path"], loaded.spec.model.path), externalTestIssues(loaded), bertScoreModelIssues(loaded)]).pipe(
    Effect.flatMap(([data, model, external, bertscore]) => {
      const issues = [...data, ...model, ...external, ...bertscore]
      return issues.length === 0 ? Effect.void : Effect.fail(SpecError.fromIssues(loaded.file, issues.map(placeIssue(loaded.locations))))
    }),
  )
