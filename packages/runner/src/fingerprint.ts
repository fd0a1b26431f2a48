// What a results folder was computed from. A resumed run must match it, or its arms would
// mix results of different experiments. Data and model count by content, not by location,
// so moving them (another PEFTLAB_DATA, say) does not invalidate finished arms.
import { createHash, type Hash } from "node:crypto"
import { createReadStream } from "node:fs"
import { Effect } from "effect"
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

export const fingerprintInputs = (spec: ExperimentSpec, dataHash: string, weightsHash: string, backend: string): FingerprintInputs => {
  const { output: _output, ...computed } = spec
  // training.truncation decides whether a run may start, not what it computes: a folder made
  // before the field existed, or with the other policy, still resumes.
  const { truncation: _truncation, ...training } = spec.training
  return {
    ...computed,
    training,
    data: { ...spec.data, path: undefined, content_sha256: dataHash },
    model: { ...spec.model, path: undefined, weights_sha256: weightsHash },
    backend,
  }
}

export const fingerprintOf = (inputs: FingerprintInputs): string => sha256(JSON.stringify(inputs))

/** Top-level sections whose values differ, to tell the user what changed. */
export const differingSections = (a: FingerprintInputs, b: FingerprintInputs): Array<string> =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
