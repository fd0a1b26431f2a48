// Test support for the merge tests: every tensor of a model folder (one model.safetensors or its
// shards through the index), read the way peftlab reads checkpoints, to compare merged folders whole.
import { Effect } from "effect"
import { openCheckpoint, type SafetensorsTensor } from "@peftlab/models"

/** Every tensor of the model folder `dir` by name, widened to float32 with its stored dtype. */
export const folderTensors = (dir: string): Promise<Map<string, SafetensorsTensor>> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const checkpoint = yield* openCheckpoint(dir)
        const all = new Map<string, SafetensorsTensor>()
        for (const name of checkpoint.entries.keys()) all.set(name, yield* checkpoint.read(name))
        return all
      }),
    ),
  )
