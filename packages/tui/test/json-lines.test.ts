import { emit, type RunEvent } from "@peftlab/core"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { jsonLinesLayer } from "../src/index.ts"
import { fullRun } from "./run-events.ts"

const linesFor = async (events: ReadonlyArray<RunEvent>): Promise<ReadonlyArray<string>> => {
  const lines: Array<string> = []
  await Effect.runPromise(Effect.forEach(events, emit, { discard: true }).pipe(Effect.provide(jsonLinesLayer((line) => lines.push(line)))))
  return lines
}

describe("jsonLinesLayer", () => {
  it("writes every event, unthrottled and in order, as one JSON object per line", async () => {
    const lines = await linesFor(fullRun)
    expect(lines).toHaveLength(fullRun.length)
    for (const line of lines) expect(line).not.toContain("\n")
    expect(lines.map((line) => JSON.parse(line))).toEqual(fullRun)
  })

  it("writes a diverged loss as null, since JSON has no NaN", async () => {
    const [line] = await linesFor([{ type: "epoch-end", arm: "a", epoch: 1, trainLoss: Number.NaN, validation: { metric: "loss", value: Number.NaN }, best: false }])
    expect(line).toBe('{"type":"epoch-end","arm":"a","epoch":1,"trainLoss":null,"validation":{"metric":"loss","value":null},"best":false}')
  })
})
