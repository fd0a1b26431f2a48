// The screen's one control: q or Ctrl-C asks the run to stop. Stdin is in raw mode while this
// listens, so Ctrl-C arrives as a key rather than SIGINT and must be handled here too.
import { Text, useInput, useStdin } from "ink"
import { createElement as h, type ReactElement } from "react"

export interface StopKeysProps {
  /** Called on every q or Ctrl-C; the caller makes repeated requests harmless. */
  readonly onStop: () => void
  /** Whether a stop was already requested: the footer then says what happens next. */
  readonly requested: boolean
}

export const stopHint = "q stop: finished arms and checkpoints are kept, the same command resumes"
export const stoppingNotice = "stopping after the current step; run the same command to resume"

export const StopKeys = ({ onStop, requested }: StopKeysProps): ReactElement | null => {
  // Without a terminal on stdin (piped input) there are no keys; SIGINT still stops the run.
  const { isRawModeSupported } = useStdin()
  useInput(
    (input, key) => {
      if (input === "q" || (key.ctrl && input === "c")) onStop()
    },
    { isActive: isRawModeSupported },
  )
  if (requested) return h(Text, { color: "yellow" }, stoppingNotice)
  return isRawModeSupported ? h(Text, { dimColor: true }, stopHint) : null
}
