// What `peftlab report` and a resumed run read of a results folder besides its arms, as Schemas:
// manifest.json (the fingerprint, and the run's resolved spec, labels and truncation counts) and
// selection.json. The spec was checked whole before the run wrote it, so only the parts the
// reporters read are decoded; its other fields are kept as written.
import { Schema } from "effect"
import type { ExperimentSpec } from "@peftlab/spec"
import { SavedNumber } from "./saved-arm.ts"

/** An object with these fields, any others kept as they are. */
const Loose = <F extends Schema.Struct.Fields>(fields: F) => Schema.StructWithRest(Schema.Struct(fields), [Schema.Record(Schema.String, Schema.Unknown)])

const Section = Loose({})

/** The run's resolved spec (sweeps and seeds expanded), as manifest.json keeps it. */
export const SavedSpec = Loose({
  name: Schema.String,
  task: Section,
  data: Section,
  model: Section,
  training: Loose({ max_length: Schema.Number }),
  evaluation: Section,
  stats: Loose({ baseline: Schema.String, mcnemar: Schema.Boolean, bootstrap: Loose({ B: Schema.Number, seed: Schema.Number }) }),
  arms: Schema.Array(Loose({ name: Schema.String, kind: Schema.String, group: Schema.String, config: Schema.String })),
})

const SplitTruncation = Schema.Struct({ cut: Schema.Number, total: Schema.Number, example: Schema.optionalKey(Schema.String) })
const SplitsTruncation = Schema.Struct({ train: SplitTruncation, val: SplitTruncation, test: SplitTruncation })

const Truncation = Schema.Struct({
  max_length: Schema.Number,
  policy: Schema.Literals(["cut", "error"]),
  unit: Schema.String,
  splits: SplitsTruncation,
  arms: Schema.optionalKey(Schema.Record(Schema.String, SplitsTruncation)),
})

/** manifest.json as `peftlab report` reads it. */
export const ReportManifest = Schema.Struct({
  fingerprint: Schema.String,
  spec: SavedSpec,
  data: Schema.Struct({ labels: Schema.Array(Schema.String) }),
  truncation: Schema.optionalKey(Truncation),
})

/** The manifest's spec, its decoded parts checked and the rest as the run wrote it. */
export const savedSpec = (manifest: { readonly spec: typeof SavedSpec.Type }): ExperimentSpec => manifest.spec as unknown as ExperimentSpec

/** manifest.json as a run about to write into the folder reads it: whose results the folder holds. */
export const FolderManifest = Schema.Struct({
  fingerprint: Schema.String,
  fingerprint_inputs: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
})

const ConfigScore = Schema.Struct({ config: Schema.String, values: Schema.Array(SavedNumber), mean: SavedNumber })

/** selection.json: each sweep's configurations and the one chosen. */
export const SelectionsFile = Schema.Array(
  Schema.Struct({ group: Schema.String, metric: Schema.String, higherIsBetter: Schema.Boolean, chosen: Schema.String, configs: Schema.Array(ConfigScore) }),
)
