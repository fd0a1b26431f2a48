// @peftlab/trackers: a peftlab run as experiment trackers read it, TensorBoard event files and
// MLflow file-store runs, written with no tracker installed.
export { trainingScalars, TrackedArmError, type Scalar, type TrackedArm } from "./tracked-arm.ts"
export { TensorBoardFolderError, writeTensorBoard } from "./tensorboard/write-tensorboard.ts"
export { MlflowInputError } from "./mlflow/keys.ts"
export { runIdOf, writeMlflow, type MlflowRun } from "./mlflow/write-mlflow.ts"
