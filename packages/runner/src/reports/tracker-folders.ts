// Where a run's tracker files go: the spec's output.tensorboard and output.mlflow (a shared log
// folder or store that gathers several runs), else tensorboard/ and mlruns/ in the results folder.
import { join, resolve } from "node:path"
import type { ExperimentSpec } from "@peftlab/spec"

export interface TrackerFolders {
  /** TensorBoard's --logdir: runs lie under <experiment>/<arm>/. */
  readonly tensorboard: string
  /** An MLflow file store (what `mlflow ui --backend-store-uri file:<folder>` opens). */
  readonly mlflow: string
}

export const trackerFolders = (outDir: string, output: ExperimentSpec["output"]): TrackerFolders => ({
  tensorboard: resolve(output.tensorboard ?? join(outDir, "tensorboard")),
  mlflow: resolve(output.mlflow ?? join(outDir, "mlruns")),
})
