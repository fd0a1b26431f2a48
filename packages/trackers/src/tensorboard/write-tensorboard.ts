// Writes each arm of a run as a TensorBoard run folder, <root>/<experiment>/<arm>/, holding one
// event file, so `tensorboard --logdir <root>` shows the arms side by side with no tracker installed.
import { InputError, writeFileAtomic } from "@peftlab/core"
import { readdir, unlink } from "node:fs/promises"
import { hostname } from "node:os"
import { join } from "node:path"
import { checkDistinctArms, trainingScalars, type TrackedArm } from "../tracked-arm.ts"
import { encodeEvent, type EventRecord } from "./event-proto.ts"
import { tfRecordFile } from "./tfrecord.ts"

/** An experiment or arm name that cannot name a folder. */
export class TensorBoardFolderError extends InputError("TensorBoardFolderError") {}

/** The version line TensorBoard expects in the first event of every file. */
export const FILE_VERSION = "brain.Event:2"

/**
 * Writes `<root>/<experiment>/<arm>/events.out.tfevents.<unix seconds>.<hostname>` for each arm and
 * removes the arm folder's earlier event files, so a rewritten run shows once. Tags: `train/loss`,
 * `train/lr`, `train/grad_norm` at the global step; `epoch/train_loss`, `validation/<metric>`,
 * `validation/loss` at step = epoch; `test/<name>` at step 0. Returns the files written.
 */
export const writeTensorBoard = async (
  root: string,
  experiment: string,
  arms: ReadonlyArray<TrackedArm>,
  options: { readonly wallTime?: number } = {},
): Promise<ReadonlyArray<string>> => {
  checkFolderName("experiment", experiment)
  for (const { arm } of arms) checkFolderName("arm", arm)
  checkDistinctArms(arms)
  const wallTime = options.wallTime ?? Date.now() / 1000
  const fileName = `events.out.tfevents.${Math.floor(wallTime)}.${hostname()}`
  // Every arm's events are encoded before any is written, so a bad arm leaves the folders as they were.
  const files = arms.map((arm) => ({ dir: join(root, experiment, arm.arm), bytes: tfRecordFile(armEvents(arm, wallTime).map(encodeEvent)) }))
  for (const { dir, bytes } of files) {
    await writeFileAtomic(join(dir, fileName), bytes)
    // TensorBoard reads every *tfevents* file of a run folder: earlier writes would show twice.
    for (const name of await readdir(dir)) if (name.includes("tfevents") && name !== fileName) await unlink(join(dir, name))
  }
  return files.map(({ dir }) => join(dir, fileName))
}

const armEvents = (arm: TrackedArm, wallTime: number): ReadonlyArray<EventRecord> => [
  { wallTime, step: 0, fileVersion: FILE_VERSION },
  ...trainingScalars(arm).map(({ series, step, value }) => ({ wallTime, step, values: [{ tag: series, simpleValue: value }] })),
  ...Object.entries(arm.test).map(([name, value]) => ({ wallTime, step: 0, values: [{ tag: `test/${name}`, simpleValue: value }] })),
]

// One path component that means the same folder on Linux, macOS and Windows.
const folderRules: ReadonlyArray<readonly [(name: string) => boolean, string]> = [
  [(name) => name === "" || name === "." || name === "..", "is not a folder name"],
  [(name) => /[/\\]/.test(name), "contains a path separator"],
  [(name) => /[\u0000-\u001f\u007f<>:"|?*]/.test(name), 'contains a control character or one of < > : " | ? *'],
  [(name) => /[. ]$/.test(name), "ends with a dot or a space"],
  [(name) => Buffer.byteLength(name) > 255, "is longer than 255 bytes"],
]

const checkFolderName = (what: string, name: string): void => {
  const problem = folderRules.find(([broken]) => broken(name))?.[1]
  if (problem !== undefined) {
    throw new TensorBoardFolderError({ source: `${what} "${name}"`, detail: `${problem}; it names a TensorBoard run folder` })
  }
}
