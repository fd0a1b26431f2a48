import { describe, expect, it } from "vitest"
import { formatDownloadProgress, partsReceived } from "../src/index.ts"

const MiB = 2 ** 20

describe("partsReceived", () => {
  it("counts whole parts only, exactly at a whole percent", () => {
    expect(partsReceived({ file: "f", bytes: 29, total: 100 }, 100)).toBe(29) // 29 / 100 * 100 is 28.999…
    expect(partsReceived({ file: "f", bytes: 99, total: 100 }, 4)).toBe(3) // 3.96
    expect(partsReceived({ file: "f", bytes: 100, total: 100 }, 4)).toBe(4)
  })

  it("takes an empty file as complete, is undefined without a size, and never exceeds all parts", () => {
    expect(partsReceived({ file: "f", bytes: 0, total: 0 }, 100)).toBe(100)
    expect(partsReceived({ file: "f", bytes: 5 }, 100)).toBeUndefined()
    expect(partsReceived({ file: "f", bytes: 120, total: 100 }, 4)).toBe(4)
  })
})

describe("formatDownloadProgress", () => {
  it("gives the whole percent and the bytes in the size's unit", () => {
    // 118 / 262 = 45.04 %.
    expect(formatDownloadProgress({ file: "f", bytes: 118 * MiB, total: 262 * MiB })).toBe("45% 118/262 MiB")
    // One byte short of the whole: 99.9999 %, shown as 99 % (100 % only once every byte is in),
    // though both amounts round to 1024 KiB.
    expect(formatDownloadProgress({ file: "f", bytes: MiB - 2, total: MiB - 1 })).toBe("99% 1024/1024 KiB")
  })

  it("gives only the bytes received when the size is unknown", () => {
    expect(formatDownloadProgress({ file: "f", bytes: 5 * MiB })).toBe("5.0 MiB")
  })
})
