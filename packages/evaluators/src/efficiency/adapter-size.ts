import { statSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { adapterWeightsFile } from "@peftlab/adapters-base"
import { MetricInputError } from "@peftlab/stats"

export interface AdapterSize {
  readonly bytes: number
  /** bytes / 2^20: binary megabytes (MiB), as `ls -lh` and most papers' "MB" of adapters. */
  readonly mebibytes: number
}

/** The size of a PEFT adapter folder's weights (adapter_model.safetensors); fails with `MetricInputError` when the file is missing. */
export const adapterSize = (dir: string): Effect.Effect<AdapterSize, MetricInputError> => {
  const file = join(dir, adapterWeightsFile)
  return Effect.try({
    try: () => statSync(file),
    catch: (e) => new MetricInputError({ source: file, detail: `cannot read the adapter weights (${(e as Error).message})` }),
  }).pipe(
    Effect.flatMap((stat) =>
      stat.isFile()
        ? Effect.succeed({ bytes: stat.size, mebibytes: stat.size / 2 ** 20 })
        : Effect.fail(new MetricInputError({ source: file, detail: "expected a file of adapter weights" })),
    ),
  )
}
