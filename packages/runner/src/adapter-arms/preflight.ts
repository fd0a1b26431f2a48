// Before any arm runs: every existing adapter the spec names is found (for the fingerprint,
// which hashes its files, and the manifest, which records where each was found) and, once the model is loaded, each adapter arm's is loaded onto it
// and freed again, so that an adapter whose shapes do not fit the model stops the run (exit 2)
// before the first arm trains rather than in the middle of the run. (An init_from's tensors are
// checked against the arm's own adapter when that arm starts training.)
import { Effect } from "effect"
import type { BaseModel } from "@peftlab/models"
import type { MethodPlugin } from "@peftlab/plugin-api"
import type { ExperimentSpec } from "@peftlab/spec"
import { adapterFilesHash } from "../fingerprint.ts"
import { builtinMethods } from "../registry/builtin-methods.ts"
import { readAdapterConfig, requireAdapterFolder } from "./adapter-folder.ts"
import { loadPeftFolder } from "./load-peft.ts"
import { adapterReferences, referenceSource, type AdapterReference } from "./references.ts"

export interface FoundAdapter {
  readonly reference: AdapterReference
  readonly dir: string
}

/** The folder of each adapter the spec names. */
export const findSpecAdapters = (spec: ExperimentSpec) =>
  Effect.forEach(adapterReferences(spec), (reference) => Effect.map(requireAdapterFolder(reference.written, referenceSource(reference)), (dir) => ({ reference, dir })))

/** Each adapter's adapterFilesHash, by its location as the spec writes it (for fingerprintInputs). */
export const adapterHashes = (found: ReadonlyArray<FoundAdapter>) =>
  Effect.map(
    Effect.forEach(found, ({ reference, dir }) => Effect.map(adapterFilesHash(dir), (hash) => [reference.written, hash] as const)),
    (pairs): Readonly<Record<string, string>> => Object.fromEntries(pairs),
  )

/** Loads each adapter arm's folder onto `model` through its strict loader (a built-in one or a method plugin's), and frees it. */
export const checkAdapterArmsLoad = (model: BaseModel, found: ReadonlyArray<FoundAdapter>, methods: ReadonlyArray<MethodPlugin<any, any>> = builtinMethods) =>
  Effect.forEach(
    [...new Set(found.filter(({ reference }) => reference.field === "path").map(({ dir }) => dir))],
    (dir) => Effect.map(loadPeftFolder(model, dir, methods), (adapter) => adapter.dispose()),
    { discard: true },
  )

/** The virtual tokens each adapter arm's prompt or prefix puts before every input, by arm name (for checkPositionsFit). */
export const adapterArmVirtualTokens = (found: ReadonlyArray<FoundAdapter>): ReadonlyMap<string, number> =>
  new Map(
    found.flatMap(({ reference, dir }) => {
      const read = reference.field === "path" ? readAdapterConfig(dir) : undefined
      const n = read && "config" in read ? read.config["num_virtual_tokens"] : undefined
      return typeof n === "number" ? [[reference.arm.name, n] as const] : []
    }),
  )
