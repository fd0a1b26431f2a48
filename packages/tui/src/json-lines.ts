// Machine-readable output (`peftlab run --json`): every event as one JSON object on its own
// line, unthrottled, for tools that follow a run. JSON has no NaN: a diverged loss is null.
import { Events } from "@peftlab/core"
import { Effect, Layer } from "effect"

/** Writes each event as a line of JSON through `write`; stdout by default. */
export const jsonLinesLayer = (write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Layer.Layer<Events> =>
  Layer.succeed(Events, { emit: (event) => Effect.sync(() => write(JSON.stringify(event))) })
