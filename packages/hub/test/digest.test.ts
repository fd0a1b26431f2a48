import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { digestFromEtag, fileDigest } from "../src/digest.ts"
import { removeTempDirs, tempDir } from "./fixtures.ts"

afterAll(removeTempDirs)

const file = (content: string) => {
  const path = join(tempDir(), "f")
  writeFileSync(path, content)
  return path
}

describe("fileDigest", () => {
  it("computes sha256 (FIPS 180-2 example: 'abc')", async () => {
    expect(await fileDigest(file("abc"), "sha256")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  })

  it("computes the git blob id (`echo hello | git hash-object --stdin`)", async () => {
    expect(await fileDigest(file("hello\n"), "git-sha1")).toBe("ce013625030ba8dba906f756967f9e9ca394464a")
    expect(await fileDigest(file(""), "git-sha1")).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391") // git's empty blob
  })
})

describe("digestFromEtag", () => {
  it("reads 64 hex digits as sha256, 40 as a git blob id, and anything else as no promise", () => {
    const sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    expect(digestFromEtag(sha)).toEqual({ algorithm: "sha256", hex: sha })
    expect(digestFromEtag("ce013625030ba8dba906f756967f9e9ca394464a")).toEqual({ algorithm: "git-sha1", hex: "ce013625030ba8dba906f756967f9e9ca394464a" })
    expect(digestFromEtag("5d41402abc4b2a76b9719d911017c592")).toBeUndefined()
  })
})
