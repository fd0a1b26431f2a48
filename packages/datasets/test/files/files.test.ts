import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { collectRows, malformed } from "../../src/index.ts"
import { filesUnder } from "../../src/files/files-under.ts"
import { readText } from "../../src/files/read-text.ts"
import { writeTempFile, writeTempTree } from "../fixtures.ts"

describe("filesUnder", () => {
  it("lists matching files at any depth, relative and sorted by code unit", async () => {
    const root = writeTempTree({ "2_b/x.xml": "", "10_a/y.xml": "", "2_b/sub/z.xml": "", "2_b/notes.txt": "", "B.xml": "" })
    expect(await Effect.runPromise(filesUnder(root, ".xml"))).toEqual(["10_a/y.xml", "2_b/sub/z.xml", "2_b/x.xml", "B.xml"])
  })

  it("names a missing folder or a file given as one", async () => {
    expect(await Effect.runPromise(Effect.flip(filesUnder("/nonexistent/dir", ".xml")))).toMatchObject({ source: "/nonexistent/dir", detail: "folder not found" })
    const file = writeTempFile("f.xml", "")
    expect(await Effect.runPromise(Effect.flip(filesUnder(file, ".xml")))).toMatchObject({ source: file, detail: "not a folder" })
  })
})

describe("readText", () => {
  it("strips a leading byte-order mark only, and names a missing file", async () => {
    expect(await Effect.runPromise(readText(writeTempFile("bom.txt", "\uFEFFa\uFEFF")))).toBe("a\uFEFF")
    expect(await Effect.runPromise(Effect.flip(readText("/nonexistent/a.txt")))).toMatchObject({ source: "/nonexistent/a.txt", detail: "file not found" })
  })
})

describe("collectRows", () => {
  const rows = [1, malformed("bad", "line 2: bad"), 3, malformed("bad", "line 4: bad"), malformed("worse", "line 5: worse")]

  it("fails on the first malformed row by default, naming the source", async () => {
    expect(await Effect.runPromise(Effect.flip(collectRows("f.csv", rows, false)))).toMatchObject({ _tag: "DataFileError", source: "f.csv", detail: "line 2: bad" })
  })

  it("keeps good rows and counts malformed ones by reason when skipping", async () => {
    expect(await Effect.runPromise(collectRows("f.csv", rows, true))).toEqual({ rows: [1, 3], read: 5, dropped: { bad: 2, worse: 1 } })
  })
})
