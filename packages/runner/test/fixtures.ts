// The repository's quickstart spec, decoded with the shared data and models, for runner tests.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { decodeSpecText, type ExperimentSpec } from "@peftlab/spec"

export const shared = process.env.PEFTLAB_DATA && process.env.PEFTLAB_MODELS
if (!shared) console.warn("skipping runner tests on shared data: PEFTLAB_DATA or PEFTLAB_MODELS unset")

const quickstart = join(import.meta.dirname, "..", "..", "..", "specs", "quickstart.yaml")

export const quickstartSpec = (change: (spec: ExperimentSpec) => ExperimentSpec = (s) => s): Promise<ExperimentSpec> =>
  Effect.runPromise(decodeSpecText(readFileSync(quickstart, "utf8"), quickstart, process.env)).then((loaded) => change(loaded.spec))
