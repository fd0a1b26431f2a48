// What `peftlab predict` hands a task kind (predict.ts loads the tokenizer, base and adapter;
// each task kind's predict lines read the data and predict), in a leaf of its own so that the
// task kinds and predict.ts, which looks them up, share it without an import cycle.
import { Effect } from "effect"
import type { Adapter } from "@peftlab/adapters-base"
import { InputError, type RegistryError } from "@peftlab/core"
import type { LanguageModel } from "@peftlab/evaluators"
import type { ExperimentSpec } from "@peftlab/spec"
import { Registry, type QuantizedBaseKind } from "@peftlab/plugin-api"

/** A task predict does not cover. */
export class PredictUnsupported extends InputError("PredictUnsupported") {}

export interface PredictInputs {
  readonly spec: ExperimentSpec
  readonly modelDir: string
  readonly adapterDir: string
  readonly dataPath: string
  /** Quantize the base's linears first (an adapter trained over an NF4 or int8 base). */
  readonly quantize?: QuantizedBaseKind
  /** Add the token ids each label score was computed from, for a check by another library. */
  readonly ids?: boolean
}

/** The loaded base and adapter, predicting one example at a time. */
export interface PredictSetup {
  readonly model: LanguageModel
  readonly adapter: Adapter
  readonly padId: number
  readonly batchSize: number
}

/** One line of the predictions file. */
export type PredictionLine = Readonly<Record<string, unknown>>

/** The spec's data kind in the run's Registry, which reads `dataPath` with the spec's field mapping and cleaning. */
export const datasetKind = (inputs: PredictInputs) =>
  Registry.use((registry) => Effect.try({ try: () => registry.get("datasets", inputs.spec.data.kind), catch: (error) => error as RegistryError }))
