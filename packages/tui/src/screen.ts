// The Ink screen of a run: header (with how many inputs were cut to fit), the file downloading (if any), one row per arm, recent log
// messages and, once the run ended, a summary of every arm's metrics. Dumb components: everything comes from `UiState`.
import type { ArmPhase } from "@peftlab/core"
import { Box, Text } from "ink"
import { createElement as h, type ReactElement } from "react"
import { formatBytes, formatDuration, formatLog, formatMetricValue, formatNumber, formatRate, formatValidation, progressBar, sparkline } from "./format.ts"
import { type Download, formatDownloadProgress, partsReceived } from "./download.ts"
import { emptyLossCurve, lossPoints } from "./loss-curve.ts"
import { trainingProgress } from "./progress.ts"
import type { ArmView, LogLine, Resources, UiState } from "./reducer.ts"

export interface ScreenProps {
  readonly state: UiState
  /** Wall time since the run started; the caller ticks it, the screen only shows it. */
  readonly elapsedMs: number
}

// Bars narrow enough that a row of a short-named arm fits in 80 columns.
const epochBarWidth = 10
const stepBarWidth = 16
const downloadBarWidth = 20

const phaseColor: Record<ArmPhase, string> = {
  queued: "gray",
  training: "cyan",
  evaluating: "magenta",
  done: "green",
  failed: "red",
  skipped: "gray",
}

/** A fixed-width, single-line table cell. */
const cell = (key: string, width: number, text: string, color?: string): ReactElement =>
  h(Box, { key, width, flexShrink: 0 }, h(Text, { wrap: "truncate-end", color }, text))

/** Resident memory, tensors, and a GPU's buffers where the backend has them. */
const memoryLine = ({ rssBytes, tensorBytes, deviceBytes }: Resources): string =>
  `memory ${formatBytes(rssBytes)} rss, ${formatBytes(tensorBytes)} tensors${deviceBytes === undefined ? "" : `, ${formatBytes(deviceBytes)} GPU buffers`}`

const Header = ({ state, elapsedMs }: ScreenProps): ReactElement =>
  state.name === ""
    ? h(Text, { dimColor: true }, "waiting for the run to start…")
    : h(
        Box,
        { flexDirection: "column" },
        h(
          Box,
          { gap: 2 },
          h(Text, { bold: true }, state.name),
          h(Text, null, `backend ${state.backend}`),
          state.resources === undefined ? null : h(Text, null, memoryLine(state.resources)),
          h(Text, null, `elapsed ${formatDuration(state.finished?.elapsedMs ?? elapsedMs)}`),
        ),
        state.device === undefined ? null : h(Text, { dimColor: true }, `device ${state.device}`),
        h(Text, { dimColor: true }, `output ${state.outDir}`),
        state.truncation === undefined
          ? null
          : state.truncation.cut > 0
            ? h(Text, { color: "yellow" }, `truncation: ${state.truncation.text}`)
            : h(Text, { dimColor: true }, `truncation: ${state.truncation.text}`),
      )

/** `downloading model.safetensors  ████░░  45% 118/262 MiB`; no bar while the size is unknown. */
const DownloadLine = ({ download }: { readonly download: Download }): ReactElement => {
  const percent = partsReceived(download, 100)
  return h(
    Box,
    { gap: 2 },
    h(Text, { wrap: "truncate-middle" }, `${download.action ?? "downloading"} ${download.file}`),
    percent === undefined ? null : h(Text, null, progressBar(percent / 100, downloadBarWidth)),
    h(Text, null, formatDownloadProgress(download)),
  )
}

const stateWidth = 10

/** Where the arm is: examples scored while it evaluates (or if it never trained), else epochs and steps. */
const activity = (arm: ArmView): ReadonlyArray<readonly [key: string, text: string]> => {
  if (arm.evaluation !== undefined && (arm.phase === "evaluating" || arm.step === undefined)) {
    const { split, done, total } = arm.evaluation
    return [["eval", `eval ${split} ${done}/${total} ${progressBar(done / total, stepBarWidth)}`]]
  }
  if (arm.step === undefined) return []
  const { epoch, epochs } = arm.step
  const progress = trainingProgress(arm.step)
  return [
    // The epoch bar fills with the whole training, the step bar with the current epoch.
    ["epoch", `epoch ${epoch}/${epochs} ${progressBar(progress.fraction, epochBarWidth)}`],
    ["step", `step ${progress.stepInEpoch}/${progress.stepsPerEpoch} ${progressBar(progress.stepInEpoch / progress.stepsPerEpoch, stepBarWidth)}`],
    ...(arm.phase === "training" ? [["eta", `eta ${formatDuration(arm.etaMs)}`] as const] : []),
  ]
}

/** The second line of a row: what is known so far about loss, validation, speed and failures. */
const details = (arm: ArmView): ReadonlyArray<readonly [string, string | undefined]> => [
  ["loss", arm.step === undefined ? undefined : `loss ${sparkline(lossPoints(arm.losses ?? emptyLossCurve))} ${formatNumber(arm.step.loss)}`],
  ["validation", arm.validation === undefined ? undefined : `val ${formatValidation(arm.validation)}`],
  ["speed", arm.phase === "training" && arm.step !== undefined ? formatRate(arm.step.tokensPerSecond) : undefined],
  ["detail", arm.detail],
]

// Two lines per arm: progress, then what the arm learned so far.
const ArmRow = ({ arm, nameWidth }: { readonly arm: ArmView; readonly nameWidth: number }): ReactElement => {
  const known = details(arm).filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
  return h(
    Box,
    { flexDirection: "column" },
    h(
      Box,
      { gap: 2 },
      cell("name", nameWidth, arm.name),
      cell("state", stateWidth, arm.phase, phaseColor[arm.phase]),
      ...activity(arm).map(([key, text]) => h(Text, { key }, text)),
    ),
    known.length === 0
      ? null
      : h(Box, { gap: 2, paddingLeft: nameWidth + 2 }, ...known.map(([key, text]) => h(Text, { key, color: key === "detail" ? phaseColor[arm.phase] : undefined }, text))),
  )
}

const nameWidthOf = (arms: ReadonlyArray<ArmView>): number => Math.max(3, ...arms.map((arm) => arm.name.length))

const ArmTable = ({ arms }: { readonly arms: ReadonlyArray<ArmView> }): ReactElement => {
  const nameWidth = nameWidthOf(arms)
  return h(
    Box,
    { flexDirection: "column", marginTop: 1 },
    h(Box, { gap: 2 }, cell("name", nameWidth, "arm", "gray"), cell("state", stateWidth, "state", "gray"), h(Text, { color: "gray" }, "progress")),
    ...arms.map((arm) => h(ArmRow, { key: arm.name, arm, nameWidth })),
  )
}

const Logs = ({ logs }: { readonly logs: ReadonlyArray<LogLine> }): ReactElement =>
  h(
    Box,
    { flexDirection: "column", marginTop: 1 },
    ...logs.map((log, i) => h(Text, { key: i, color: log.level === "warn" ? "yellow" : undefined, dimColor: log.level === "info" }, formatLog(log))),
  )

/** One column per metric any arm reported, in the order they first appear. */
const Summary = ({ state }: { readonly state: UiState }): ReactElement => {
  const metricNames = [...new Set(state.arms.flatMap((arm) => Object.keys(arm.metrics ?? {})))]
  const nameWidth = nameWidthOf(state.arms)
  const widthOf = (metric: string): number => Math.max(metric.length, 6)
  const ok = state.finished?.ok === true
  return h(
    Box,
    { flexDirection: "column", marginTop: 1 },
    h(Text, { bold: true, color: ok ? "green" : "red" }, ok ? `finished, results in ${state.outDir}` : `failed, partial results in ${state.outDir}`),
    h(Box, { gap: 2 }, cell("name", nameWidth, "arm"), ...metricNames.map((metric) => cell(metric, widthOf(metric), metric, "gray"))),
    ...state.arms.map((arm) =>
      h(
        Box,
        { key: arm.name, gap: 2 },
        cell("name", nameWidth, arm.name),
        ...(arm.metrics === undefined
          ? [cell("phase", stateWidth, arm.phase, phaseColor[arm.phase])]
          : metricNames.map((metric) => {
              const value = arm.metrics?.[metric]
              return cell(metric, widthOf(metric), value === undefined ? "" : formatMetricValue(value))
            })),
      ),
    ),
  )
}

export const Screen = (props: ScreenProps): ReactElement =>
  h(
    Box,
    { flexDirection: "column" },
    h(Header, props),
    props.state.download === undefined ? null : h(DownloadLine, { download: props.state.download }),
    props.state.arms.length === 0 ? null : h(ArmTable, { arms: props.state.arms }),
    props.state.logs.length === 0 ? null : h(Logs, { logs: props.state.logs }),
    props.state.finished === undefined ? null : h(Summary, { state: props.state }),
  )
