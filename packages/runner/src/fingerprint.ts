// What a results folder was computed from. A resumed run must match it, or its arms would
// mix results of different experiments. Data and model count by content, not by location,
// so moving them (another PEFTLAB_DATA, say) does not invalidate finished arms.
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import type { ExperimentSpec } from "@peftlab/spec"

export type FingerprintInputs = Readonly<Record<string, unknown>>

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** sha256 of the model's weights file, streamed so large checkpoints are not held twice. */
export const modelWeightsHash = (modelDir: string) =>
  Effect.promise(
    () =>
      new Promise<string>((resolve, reject) => {
        const hash = createHash("sha256")
        createReadStream(join(modelDir, "model.safetensors"))
          .on("data", (chunk) => hash.update(chunk))
          .on("end", () => resolve(hash.digest("hex")))
          .on("error", reject)
      }),
  )

export const fingerprintInputs = (spec: ExperimentSpec, dataHash: string, weightsHash: string, backend: string): FingerprintInputs => {
  const { output: _output, ...computed } = spec
  return {
    ...computed,
    data: { ...spec.data, path: undefined, content_sha256: dataHash },
    model: { ...spec.model, path: undefined, weights_sha256: weightsHash },
    backend,
  }
}

export const fingerprintOf = (inputs: FingerprintInputs): string => sha256(JSON.stringify(inputs))

/** Top-level sections whose values differ, to tell the user what changed. */
export const differingSections = (a: FingerprintInputs, b: FingerprintInputs): Array<string> =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
