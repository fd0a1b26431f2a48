// writeTensorBoard's files read back with the independent reader: layout, file name, first event,
// every tag at its step with its value (as float32), and rewrites that leave one event file.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"
import { describe, expect, it } from "vitest"
import { TensorBoardFolderError, TrackedArmError, writeTensorBoard } from "../src/index.ts"
import { expectedScalars, fixtureArms } from "./fixture.ts"
import { decodeEvent, readTfRecords } from "./readers/tfrecord-reader.ts"

const tmp = useTmpDir("trackers")

/** What a TensorBoard run folder holds: tag -> [step, value] in file order, and the first event. */
const readRun = (dir: string) => {
  const files = readdirSync(dir).filter((name) => name.includes("tfevents"))
  expect(files).toHaveLength(1)
  const events = readTfRecords(readFileSync(join(dir, files[0]!))).map(decodeEvent)
  const scalars: Record<string, Array<[number, number]>> = {}
  for (const event of events.slice(1)) {
    for (const { tag, simpleValue } of event.values ?? []) (scalars[tag] ??= []).push([event.step, simpleValue!])
  }
  return { file: files[0]!, first: events[0]!, events, scalars }
}

describe("writeTensorBoard", () => {
  it("writes one event file per arm that reads back as given", async () => {
    const arms = fixtureArms(tmp())
    const root = join(tmp(), "tb")
    const written = await writeTensorBoard(root, "quickstart", arms, { wallTime: 1700000000.75 })
    const fileName = `events.out.tfevents.1700000000.${hostname()}`
    expect(written).toEqual(arms.map((a) => join(root, "quickstart", a.arm, fileName)))
    for (const arm of arms) {
      const run = readRun(join(root, "quickstart", arm.arm))
      expect(run.file).toBe(fileName)
      expect(run.first).toEqual({ wallTime: 1700000000.75, step: 0, fileVersion: "brain.Event:2" })
      expect(run.events.every((e) => e.wallTime === 1700000000.75)).toBe(true)
      expect(run.scalars).toEqual(expectedScalars(arm))
    }
    expect(readRun(join(root, "quickstart", "lora")).scalars["train/grad_norm"]).toHaveLength(4)
    expect(readRun(join(root, "quickstart", "prompt-tuning_v1.2")).scalars["train/grad_norm"]).toBeUndefined()
  })

  it("replaces an arm's earlier event files and leaves other files alone", async () => {
    const [lora] = fixtureArms(tmp())
    const root = join(tmp(), "tb")
    const dir = join(root, "exp", "lora")
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "events.out.tfevents.1.otherhost"), "stale")
    writeFileSync(join(dir, "notes.txt"), "mine")
    await writeTensorBoard(root, "exp", [lora!], { wallTime: 100 })
    await writeTensorBoard(root, "exp", [{ ...lora!, test: { accuracy: 0.9 } }], { wallTime: 200 })
    expect(readdirSync(dir).sort()).toEqual([`events.out.tfevents.200.${hostname()}`, "notes.txt"])
    expect(readRun(dir).scalars["test/accuracy"]).toEqual([[0, Math.fround(0.9)]])
    // Same second, same name: replaced in place.
    await writeTensorBoard(root, "exp", [{ ...lora!, test: { accuracy: 0.5 } }], { wallTime: 200.5 })
    expect(readRun(dir).scalars["test/accuracy"]).toEqual([[0, 0.5]])
  })

  it("refuses names that cannot be folders, fractional steps and repeated arms, writing nothing", async () => {
    const [lora] = fixtureArms(tmp())
    const root = join(tmp(), "tb")
    for (const arm of ["", ".", "..", "a/b", "a\\b", "x:y", "tab\there", "trailing."]) {
      await expect(writeTensorBoard(root, "exp", [{ ...lora!, arm }])).rejects.toBeInstanceOf(TensorBoardFolderError)
    }
    await expect(writeTensorBoard(root, "../up", [lora!])).rejects.toThrow(/experiment "..\/up": contains a path separator/)
    await expect(writeTensorBoard(root, "exp", [lora!, lora!])).rejects.toBeInstanceOf(TrackedArmError)
    const fractional = { ...lora!, arm: "other", steps: [{ step: 0.5, epoch: 1, loss: 1, lr: 1 }] }
    await expect(writeTensorBoard(root, "exp", [lora!, fractional])).rejects.toThrow('arm "other": step 0.5 is not a whole number >= 0')
    expect(existsSync(root)).toBe(false)
  })
})
