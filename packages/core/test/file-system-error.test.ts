// The errno codes a user fixes (full disk, read-only mount, no permission, a file in the way)
// mapped to a FileSystemError naming the path and what the code means; any other error left
// alone. Root ignores chmod and no test fills a disk, so the codes are given as Node gives them.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { asFileSystemError, FileSystemError, isInputError, writeFileAtomic } from "../src/index.ts"

const systemError = (code: string, syscall: string, path: string) => Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path })

describe("asFileSystemError", () => {
  it.each([
    ["ENOSPC", "write", "the disk is full; free space, or pass an --out on another disk"],
    ["EROFS", "open", "the file system is read-only; pass a writable --out"],
    ["EACCES", "mkdir", "permission denied; pass an --out you may write to"],
    ["EEXIST", "mkdir", "a file is where a folder is needed; pass another --out"],
    ["ENOTDIR", "mkdir", "part of the path is a file, not a folder; pass another --out"],
  ])("names the path and what %s means", (code, syscall, meaning) => {
    const error = asFileSystemError(systemError(code, syscall, "/out/x.tmp-1"), "/out/x")
    expect(error).toBeInstanceOf(FileSystemError)
    expect(isInputError(error)).toBe(true)
    expect(error?.message).toBe(`/out/x: cannot ${syscall} (${code}): ${meaning}`)
  })

  it("names the error's own path when given none, and leaves other errors alone", () => {
    expect(asFileSystemError(systemError("ENOSPC", "write", "/out/y"))?.source).toBe("/out/y")
    expect(asFileSystemError(new RangeError("a bug"))).toBeUndefined()
    expect(asFileSystemError(systemError("EIO", "read", "/out/y"))).toBeUndefined()
    expect(asFileSystemError("text")).toBeUndefined()
  })

  it("is what writeFileAtomic fails with, naming the file it was writing", async () => {
    const parent = join(mkdtempSync(join(tmpdir(), "peftlab-core-")), "results")
    writeFileSync(parent, "a file")
    const target = join(parent, "manifest.json")
    await expect(writeFileAtomic(target, "{}")).rejects.toMatchObject({ _tag: "FileSystemError", source: target, detail: expect.stringMatching(/^cannot mkdir \((ENOTDIR|EEXIST)\): /) })
  })
})
