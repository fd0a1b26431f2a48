// Everything the Ink screen shows, folded from run events. Pure, so the screen is a function
// of (state, elapsed) and every transition can be tested without a terminal.
import { type ArmPhase, describeTruncation, type RunEvent, totalCut } from "@peftlab/core"
import type { Download } from "./download.ts"
import { addLoss, emptyLossCurve, type LossCurve } from "./loss-curve.ts"
import { trainingProgress, type TrainStep } from "./progress.ts"

export interface Validation {
  readonly metric: string
  readonly value: number
  readonly best: boolean
}

export interface ArmView {
  readonly name: string
  readonly phase: ArmPhase
  /** Why the arm was skipped or failed, as the runner reported it. */
  readonly detail?: string
  readonly step?: TrainStep
  /** Every step's loss so far, downsampled for the sparkline. */
  readonly losses?: LossCurve
  readonly etaMs?: number
  readonly validation?: Validation
  readonly evaluation?: { readonly split: string; readonly done: number; readonly total: number }
  readonly metrics?: Readonly<Record<string, number>>
}

export interface LogLine {
  readonly level: "info" | "warn"
  readonly message: string
}

export interface Resources {
  readonly rssBytes: number
  readonly tensorBytes: number
  readonly deviceBytes?: number
}

export interface UiState {
  readonly name: string
  readonly backend: string
  /** What the backend computes on, in words. */
  readonly device?: string
  readonly outDir: string
  /** The latest memory sample. */
  readonly resources?: Resources
  /** The file downloading now; files download one at a time. */
  readonly download?: Download
  readonly arms: ReadonlyArray<ArmView>
  /** The last few log messages, oldest first. */
  readonly logs: ReadonlyArray<LogLine>
  /** Inputs cut to fit training.max_length, kept for the whole run (log lines scroll away). */
  readonly truncation?: { readonly text: string; readonly cut: number }
  readonly finished?: { readonly ok: boolean; readonly elapsedMs: number }
}

/** How many log messages the screen keeps. */
export const maxLogs = 5

export const initialState: UiState = { name: "", backend: "", outDir: "", arms: [], logs: [] }

const queued = (name: string): ArmView => ({ name, phase: "queued" })

/** Applies `update` to the named arm; an arm not announced by run-start is appended, not lost. */
const updateArm = (state: UiState, name: string, update: (arm: ArmView) => ArmView): UiState =>
  state.arms.some((arm) => arm.name === name)
    ? { ...state, arms: state.arms.map((arm) => (arm.name === name ? update(arm) : arm)) }
    : { ...state, arms: [...state.arms, update(queued(name))] }

export const reduce = (state: UiState, event: RunEvent): UiState => {
  switch (event.type) {
    case "run-start":
      return { name: event.name, backend: event.backend, ...(event.device !== undefined && { device: event.device }), outDir: event.outDir, arms: event.arms.map(queued), logs: [] }
    case "arm-phase":
      return updateArm(state, event.arm, (arm) => ({ ...arm, phase: event.phase, detail: event.detail }))
    case "train-step":
      return updateArm(state, event.arm, (arm) => ({
        ...arm,
        step: event,
        losses: addLoss(arm.losses ?? emptyLossCurve, event.loss),
        etaMs: trainingProgress(event).etaMs,
      }))
    case "epoch-end":
      return updateArm(state, event.arm, (arm) => ({ ...arm, validation: { ...event.validation, best: event.best } }))
    case "eval-progress":
      return updateArm(state, event.arm, (arm) => ({ ...arm, evaluation: { split: event.split, done: event.done, total: event.total } }))
    case "arm-result":
      return updateArm(state, event.arm, (arm) => ({ ...arm, metrics: event.metrics }))
    case "log":
      return { ...state, logs: [...state.logs, { level: event.level, message: event.message }].slice(-maxLogs) }
    case "truncation":
      return { ...state, truncation: { text: describeTruncation(event), cut: totalCut(event) } }
    case "resources":
      return { ...state, resources: { rssBytes: event.rssBytes, tensorBytes: event.tensorBytes, ...(event.deviceBytes !== undefined && { deviceBytes: event.deviceBytes }) } }
    case "download":
      return { ...state, download: event.done ? undefined : { file: event.file, bytes: event.bytes, total: event.total } }
    case "model-load":
      return { ...state, download: event.done ? undefined : { file: event.file, bytes: event.bytes, total: event.total, action: "loading" } }
    case "run-end":
      return { ...state, outDir: event.outDir, finished: { ok: event.ok, elapsedMs: event.elapsedMs } }
  }
}
