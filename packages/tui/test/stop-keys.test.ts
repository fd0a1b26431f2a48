import { stripVTControlCharacters } from "node:util"
import { cleanup, render } from "ink-testing-library"
import { createElement } from "react"
import { afterEach, describe, expect, it, vi } from "vitest"
import { stopHint, StopKeys, stoppingNotice } from "../src/index.ts"

afterEach(cleanup)

/** Lets Ink attach its input listener (an effect after the first render). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10))

const pressing = async (keys: ReadonlyArray<string>) => {
  const onStop = vi.fn()
  const { stdin } = render(createElement(StopKeys, { onStop, requested: false }))
  await settle()
  for (const key of keys) {
    stdin.write(key)
    await settle()
  }
  return onStop
}

describe("StopKeys", () => {
  it("asks to stop on q and on Ctrl-C", async () => {
    expect(await pressing(["q"])).toHaveBeenCalledTimes(1)
    expect(await pressing(["\u0003"])).toHaveBeenCalledTimes(1)
  })

  it("ignores other keys, Q included", async () => {
    expect(await pressing(["x", "Q", "c", "\r"])).not.toHaveBeenCalled()
  })

  it("shows the key, then what happens once a stop was asked for", () => {
    // Colours come and go with FORCE_COLOR (nx sets it): compare the text.
    expect(stripVTControlCharacters(render(createElement(StopKeys, { onStop: () => {}, requested: false })).lastFrame() ?? "")).toBe(stopHint)
    expect(render(createElement(StopKeys, { onStop: () => {}, requested: true })).lastFrame()).toContain(stoppingNotice)
  })
})
