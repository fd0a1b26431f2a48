// A reporter as a plugin registers it: files written into the results folder once every arm is
// done, from everything the run produced (FinishedRun); every registered reporter runs. Writing
// is an Effect: a file-system problem a user fixes fails with an InputError (core's
// FileSystemError, through asFileSystemError), anything else thrown is a bug.
import type { Effect } from "effect"
import type { AnyInputError, TruncationCounts } from "@peftlab/core"
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import type { FinishedArm } from "./finished-arm.ts"
import type { Selection } from "./selection.ts"

/** Everything a finished run produced, for reporters. */
export interface FinishedRun {
  readonly spec: ExperimentSpec
  /** The results folder's fingerprint (manifest.json): what computed it, for trackers' run ids. */
  readonly fingerprint: string
  readonly labels: ReadonlyArray<string>
  /** The arms evaluated on test, in spec order. */
  readonly finished: ReadonlyArray<FinishedArm>
  readonly comparisons: ReadonlyArray<Comparison>
  /** One per swept arm whose configuration was selected by validation. */
  readonly selections: ReadonlyArray<Selection>
  /** Inputs cut to fit training.max_length; absent in a folder written before they were counted. */
  readonly truncation?: TruncationCounts
}

/** Writes files into the results folder once every arm is done; every registered reporter runs. */
export interface Reporter {
  readonly name: string
  readonly write: (outDir: string, run: FinishedRun) => Effect.Effect<void, AnyInputError>
}
