// Reads every tensor of a .safetensors file into float32 arrays, for files small enough to hold
// whole (adapters, test checkpoints); each is read at its offset, never the file at once. Models
// load through checkpoint.ts, one tensor at a time.
import { Effect } from "effect"
import type { ModelFileError } from "../model-file-error.ts"
import { openSafetensors, type SafetensorsTensor } from "./file.ts"

/** Every tensor of `path`; a tensor in a dtype other than F32, F16 or BF16 fails, naming it. */
export const readSafetensors = (path: string): Effect.Effect<Map<string, SafetensorsTensor>, ModelFileError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const file = yield* openSafetensors(path)
      const tensors = new Map<string, SafetensorsTensor>()
      for (const name of file.entries.keys()) tensors.set(name, yield* file.read(name))
      return tensors
    }),
  )
