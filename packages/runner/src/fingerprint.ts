// What a results folder was computed from. A resumed run must match it, or its arms would
// mix results of different experiments. Data and model count by content, not by location,
// so moving them (another PEFTLAB_DATA, say) does not invalidate finished arms; an existing
// adapter (an adapter arm's path, an init_from) counts by its files' content too.
import { createHash, type Hash } from "node:crypto"
import { createReadStream } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { adapterConfigFile, adapterWeightsFile } from "@peftlab/adapters-base"
import { checkpointWeightFiles } from "@peftlab/models"
import type { ExperimentSpec } from "@peftlab/spec"

export type FingerprintInputs = Readonly<Record<string, unknown>>

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** sha256 of one file, streamed so that a multi-GB shard is never held whole. */
const hashInto = (hash: Hash, file: string) =>
  Effect.promise(
    () =>
      new Promise<void>((resolve, reject) => {
        createReadStream(file)
          .on("data", (chunk) => hash.update(chunk))
          .on("end", () => resolve())
          .on("error", reject)
      }),
  )

/**
 * sha256 of the model's weights: of model.safetensors, or of a sharded checkpoint's index and its
 * shards in turn (checkpointWeightFiles), so the same weights give the same hash wherever they are.
 */
export const modelWeightsHash = (modelDir: string) =>
  Effect.gen(function* () {
    const hash = createHash("sha256")
    for (const file of yield* checkpointWeightFiles(modelDir)) yield* hashInto(hash, file)
    return hash.digest("hex")
  })

/** sha256 of an adapter folder's adapter_config.json and adapter_model.safetensors, in turn. */
export const adapterFilesHash = (dir: string) =>
  Effect.gen(function* () {
    const hash = createHash("sha256")
    for (const file of [adapterConfigFile, adapterWeightsFile]) yield* hashInto(hash, join(dir, file))
    return hash.digest("hex")
  })

/** `adapterHashes`: each existing adapter's adapterFilesHash, by its location as the spec writes it. */
export const fingerprintInputs = (
  spec: ExperimentSpec,
  dataHash: string,
  weightsHash: string,
  backend: string,
  adapterHashes: Readonly<Record<string, string>> = {},
): FingerprintInputs => {
  // Where the results go and where the arms run change nothing they compute.
  const { output: _output, execution: _execution, ...computed } = spec
  // training.truncation decides whether a run may start, not what it computes: a folder made
  // before the field existed, or with the other policy, still resumes. So does a frozen-activation
  // cache of any size, which changes only the work done.
  const { truncation: _truncation, activation_cache_mb: _activationCacheMb, ...training } = spec.training
  // evaluation.rouge_stemmer counts only when on: off is what folders made before the field computed.
  const { rouge_stemmer, ...evaluation } = spec.evaluation
  return {
    ...computed,
    training,
    evaluation: rouge_stemmer ? spec.evaluation : evaluation,
    // The data limits decide whether a run may start, not what it computes.
    data: { ...spec.data, path: undefined, max_text_chars: undefined, max_archive_bytes: undefined, content_sha256: dataHash },
    model: { ...spec.model, path: undefined, weights_sha256: weightsHash },
    backend,
    // Absent when the spec names no existing adapter, so older folders keep their fingerprint.
    ...(Object.keys(adapterHashes).length > 0 && { adapters_sha256: adapterHashes }),
  }
}

export const fingerprintOf = (inputs: FingerprintInputs): string => sha256(JSON.stringify(inputs))

/** Top-level sections whose values differ, to tell the user what changed. */
export const differingSections = (a: FingerprintInputs, b: FingerprintInputs): Array<string> =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
