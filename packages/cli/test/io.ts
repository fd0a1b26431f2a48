// Captures what a command prints.
import type { Io } from "../src/exit.ts"

export const captureIo = () => {
  const out: Array<string> = []
  const err: Array<string> = []
  const io: Io = { out: (line) => void out.push(line), err: (line) => void err.push(line) }
  return { io, out, err, text: () => [...out, ...err].join("\n") }
}
