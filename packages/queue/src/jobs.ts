// What a job is: one arm of one run, named so that the same arm of the same run (its fingerprint,
// its output folder, the arm as resolved) always gets the same job id. Adding a job whose id is
// already queued adds nothing, so submitting a run twice, or again after the submitter died,
// reattaches to the jobs already there instead of training any arm twice. The run's spec travels
// in the job (its Maps as entries: jobs are JSON), so a worker needs no access to the spec file.
import { createHash } from "node:crypto"
import type { ArmJob, ArmJobsRun, QueuedArm } from "@peftlab/runner"
import type { LoadedSpec } from "@peftlab/spec"

/** One queue per backend: a worker takes the jobs of the backend it runs (the fingerprint covers the backend). */
export const queueName = (backend: string) => `peftlab-${backend}`

/** The job id of `queued` in `run`: the same arm of the same run into the same folder, the same id. */
export const jobIdOf = (run: Pick<ArmJobsRun, "fingerprint" | "outDir">, queued: QueuedArm): string =>
  `arm-${createHash("sha256").update(JSON.stringify({ fingerprint: run.fingerprint, outDir: run.outDir, work: queued.work, arm: queued.arm })).digest("hex").slice(0, 32)}`

/** LoadedSpec with its Maps as entry lists, as JSON carries it. */
export interface SpecInJob {
  readonly spec: LoadedSpec["spec"]
  readonly file: string
  readonly variables: ReadonlyArray<readonly [string, unknown]>
  readonly locations: ReadonlyArray<readonly [string, unknown]>
  readonly written?: LoadedSpec["written"]
}

export interface ArmJobData {
  readonly job: ArmJob
  readonly backend: string
  readonly loaded: SpecInJob
}

export const specInJob = (loaded: LoadedSpec): SpecInJob => ({
  spec: loaded.spec,
  file: loaded.file,
  variables: [...loaded.variables],
  locations: [...loaded.locations],
  ...(loaded.written !== undefined && { written: loaded.written }),
})

export const loadedFromJob = (carried: SpecInJob): LoadedSpec =>
  ({
    spec: carried.spec,
    file: carried.file,
    variables: new Map(carried.variables),
    locations: new Map(carried.locations),
    ...(carried.written !== undefined && { written: carried.written }),
  }) as LoadedSpec

/** What the arm's child process reports to its worker over IPC. */
export type ChildMessage = { readonly type: "event"; readonly event: unknown } | { readonly type: "failed"; readonly input: boolean; readonly message: string }

/** A job's failure reason for an input error (the arm can never succeed as given): not retried, and exit 2 at the submitter. */
export const inputFailurePrefix = "input error: "
