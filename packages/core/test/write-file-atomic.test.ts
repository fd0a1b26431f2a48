import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeEach, describe, expect, it } from "vitest"
import { writeFileAtomic } from "../src/index.ts"

describe("writeFileAtomic", () => {
  let dir = ""
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "peftlab-core-"))
  })
  const tmp = () => dir

  it("creates missing folders and leaves no temporary file", async () => {
    const path = join(tmp(), "a", "b", "out.txt")
    await writeFileAtomic(path, "hello\n")
    expect(readFileSync(path, "utf8")).toBe("hello\n")
    expect(readdirSync(join(tmp(), "a", "b"))).toEqual(["out.txt"])
  })

  it("replaces an existing file", async () => {
    const path = join(tmp(), "out.txt")
    writeFileSync(path, "old")
    await writeFileAtomic(path, "new")
    expect(readFileSync(path, "utf8")).toBe("new")
    expect(readdirSync(tmp())).toEqual(["out.txt"])
  })

  it("fails without touching anything when the parent is a file", async () => {
    const parent = join(tmp(), "results")
    writeFileSync(parent, "previous")
    await expect(writeFileAtomic(join(parent, "out.txt"), "new")).rejects.toThrow(/ENOTDIR|EEXIST/)
    expect(readFileSync(parent, "utf8")).toBe("previous")
    expect(readdirSync(tmp())).toEqual(["results"])
  })

  it("keeps the previous file when the write itself fails", async () => {
    const path = join(tmp(), "out.txt")
    writeFileSync(path, "previous")
    // A folder squatting on the temporary name makes the write fail before the rename.
    mkdirSync(`${path}.tmp-${process.pid}`)
    await expect(writeFileAtomic(path, "new")).rejects.toThrow(/EISDIR/)
    expect(readFileSync(path, "utf8")).toBe("previous")
  })
})
