import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { resolveDataPath } from "../src/index.ts"
import { bytes, freshEnv, isFolder, read, tempDir, tree, useFakeHub } from "./fixtures.ts"
import { paxRecord, tar, type TarItem, tarGz } from "./tar-writer.ts"

const hub = useFakeHub([])

const resolve = (source: string, env: Record<string, string>) => Effect.runPromise(resolveDataPath(source, { env }))
const failure = (source: string, env: Record<string, string>) => Effect.runPromise(Effect.flip(resolveDataPath(source, { env })))
const downloadDir = (env: { HF_HOME: string }, url: string) => join(env.HF_HOME, "datasets", "downloads", createHash("sha256").update(url).digest("hex"))

/** Serves `archive` from the fake CDN as `name`; its URL. */
const serve = (name: string, archive: Buffer): string => {
  hub().data.set(name, archive)
  return `${hub().cdn}/data/${name}`
}

// Paths past ustar's 100-byte name field, as MedQuAD's deepest files are not but others may be.
const paxPath = `MedQuAD-master/${"long-folder-name-".repeat(7)}/pax.xml`
const gnuPath = `MedQuAD-master/${"gnu-long-folder-".repeat(7)}/gnu.xml`
const expected: Record<string, Buffer> = {
  "readme.txt": Buffer.from("MedQuAD\n"),
  // Over 64 KiB: read in more than one slice.
  "1_CancerGov_QA/0000001_1.xml": bytes(70_000, 9),
  [paxPath.slice("MedQuAD-master/".length)]: Buffer.from("<Document id='pax'/>"),
  [gnuPath.slice("MedQuAD-master/".length)]: Buffer.from("<Document id='gnu'/>"),
  "prefixed/file.xml": Buffer.from("<Document id='prefix'/>"),
  "empty.txt": Buffer.alloc(0),
}

/** Laid out as `git archive` lays out GitHub's tarballs: a pax global header, then one top folder. */
const githubLike: ReadonlyArray<TarItem> = [
  { type: "g", name: "pax_global_header", content: paxRecord("comment", "0123456789abcdef0123456789abcdef01234567") },
  { type: "5", name: "MedQuAD-master/" },
  { type: "0", name: "MedQuAD-master/readme.txt", content: expected["readme.txt"] },
  { type: "5", name: "MedQuAD-master/1_CancerGov_QA/" },
  { type: "0", name: "MedQuAD-master/1_CancerGov_QA/0000001_1.xml", content: expected["1_CancerGov_QA/0000001_1.xml"] },
  { type: "x", name: "PaxHeaders/pax.xml", content: paxRecord("mtime", "1700000000.25") + paxRecord("path", paxPath) },
  { type: "0", name: paxPath.slice(0, 100), content: expected[paxPath.slice(15)] },
  { type: "L", name: "././@LongLink", content: `${gnuPath}\0` },
  { type: "0", name: gnuPath.slice(0, 100), content: expected[gnuPath.slice(15)] },
  { type: "0", prefix: "MedQuAD-master/prefixed", name: "file.xml", content: expected["prefixed/file.xml"] },
  { type: "0", name: "MedQuAD-master/empty.txt" },
  { type: "2", name: "MedQuAD-master/link-to-readme" },
  { type: "5", name: "MedQuAD-master/no-files/" },
]

describe("resolveDataPath: .tar.gz URLs", () => {
  it("extracts a GitHub tarball next to the download once, returning its top folder; later calls reuse it, offline too", async () => {
    const env = freshEnv(hub())
    const url = serve("MedQuAD-master.tar.gz", tarGz(githubLike))
    const folder = await resolve(url, env)
    expect(folder).toBe(join(downloadDir(env, url), "extracted", "MedQuAD-master"))
    expect(tree(folder)).toEqual(Object.keys(expected).sort())
    for (const [path, content] of Object.entries(expected)) expect(read(join(folder, path)).equals(content), path).toBe(true)
    expect(isFolder(join(folder, "no-files"))).toBe(true)
    expect(readdirSync(downloadDir(env, url)).sort()).toEqual(["MedQuAD-master.tar.gz", "extracted"])
    hub().requests.length = 0
    expect(await resolve(url, env)).toBe(folder)
    expect(await resolve(url, { ...env, HF_HUB_OFFLINE: "1" })).toBe(folder)
    expect(hub().requests).toEqual([])
  })

  it("returns the extraction folder itself when the archive has more than one top-level entry (.tgz)", async () => {
    const env = freshEnv(hub())
    const url = serve("flat.tgz", tarGz([{ type: "0", name: "a.json", content: "[1]" }, { type: "0", name: "./b/c.json", content: "[2]" }]))
    const folder = await resolve(url, env)
    expect(folder).toBe(join(downloadDir(env, url), "extracted"))
    expect(tree(folder)).toEqual(["a.json", "b/c.json"])
    expect(readFileSync(join(folder, "b", "c.json"), "utf8")).toBe("[2]")
  })

  it("redoes an interrupted extraction from the cached archive, without the network", async () => {
    const env = freshEnv(hub())
    const url = serve("MedQuAD-master.tar.gz", tarGz(githubLike))
    const folder = await resolve(url, env)
    // As a process killed while extracting leaves it: no `extracted`, a partial one beside it.
    const root = join(downloadDir(env, url), "extracted")
    rmSync(root, { recursive: true })
    mkdirSync(join(`${root}.incomplete`, "MedQuAD-master"), { recursive: true })
    writeFileSync(join(`${root}.incomplete`, "MedQuAD-master", "half.xml"), "<Docu")
    hub().requests.length = 0
    expect(await resolve(url, { ...env, HF_HUB_OFFLINE: "1" })).toBe(folder)
    expect(tree(folder)).toEqual(Object.keys(expected).sort())
    expect(readdirSync(downloadDir(env, url)).sort()).toEqual(["MedQuAD-master.tar.gz", "extracted"])
    expect(hub().requests).toEqual([])
  })

  it("refuses entries that would land outside the folder, naming the URL and the entry, and extracts nothing", async () => {
    const hostile: Array<[string, TarItem]> = [
      ["../evil.txt", { type: "0", name: "../evil.txt", content: "x" }],
      ["repo/../../evil.txt", { type: "0", name: "repo/../../evil.txt", content: "x" }],
      ["/tmp/evil.txt", { type: "0", name: "/tmp/evil.txt", content: "x" }],
      ["repo/../../evil-dir", { type: "5", name: "repo/../../evil-dir" }],
    ]
    for (const [index, [entry, item]] of hostile.entries()) {
      const env = freshEnv(hub())
      const url = serve(`hostile-${index}.tar.gz`, tarGz([{ type: "0", name: "repo/ok.txt", content: "ok" }, item]))
      expect((await failure(url, env)).message).toBe(
        `${url}: the archive's entry ${JSON.stringify(entry)} points outside the folder it is extracted into; refusing to extract it`,
      )
      expect(readdirSync(downloadDir(env, url))).toEqual([`hostile-${index}.tar.gz`])
    }
    // A pax path is checked like any other.
    const env = freshEnv(hub())
    const url = serve("hostile-pax.tar.gz", tarGz([{ type: "x", name: "PaxHeaders/x", content: paxRecord("path", "a/../../b") }, { type: "0", name: "b", content: "x" }]))
    expect((await failure(url, env)).message).toContain(`the archive's entry "a/../../b" points outside`)
  })

  it("names the URL offline when nothing is cached, without a request", async () => {
    const env = freshEnv(hub(), { HF_HUB_OFFLINE: "1" })
    const url = serve("MedQuAD-master.tar.gz", tarGz(githubLike))
    const error = await failure(url, env)
    expect(error.source).toBe(url)
    expect(error.message).toBe(
      `${url}: HF_HUB_OFFLINE is set and the file is not in the cache (looked for ${join(downloadDir(env, url), "MedQuAD-master.tar.gz")}). Run once without HF_HUB_OFFLINE, or download the file yourself and give its path`,
    )
    expect(hub().requests).toEqual([])
  })

  it("deletes a download that is no .tar.gz, so that the next run fetches it again", async () => {
    const good = tar([{ type: "0", name: "repo/a.txt", content: "a".repeat(2000) }])
    const badChecksum = Buffer.from(good)
    badChecksum[0] = "b".charCodeAt(0) // the name changes, the checksum does not
    const cases: Array<[string, Buffer, string]> = [
      ["html.tar.gz", Buffer.from("<html>Not Found</html>"), "incorrect header check"],
      ["checksum.tar.gz", gzipSync(badChecksum), 'the header of "bepo/a.txt" fails its checksum'],
      ["cut.tar.gz", gzipSync(good.subarray(0, 1024)), 'the archive ends inside "repo/a.txt"'],
      ["cut-gzip.tar.gz", gzipSync(good).subarray(0, 30), "unexpected end of file"],
      // The record claims 99 bytes; it has 10.
      ["pax.tar.gz", gzipSync(tar([{ type: "x", name: "PaxHeaders/a", content: "99 path=a\n" }, { type: "0", name: "a" }])), "a pax extended header holds a malformed record"],
    ]
    for (const [name, content, problem] of cases) {
      const env = freshEnv(hub())
      const url = serve(name, content)
      const archive = join(downloadDir(env, url), name)
      expect((await failure(url, env)).message, name).toBe(
        `${url}: ${archive} is not a readable .tar.gz archive (${problem}); it was deleted: run again, and if this persists the URL serves no .tar.gz archive`,
      )
      expect(readdirSync(downloadDir(env, url)), name).toEqual([])
    }
  })
})

// GNU tar, where installed, writes the same trees independently of the writer above.
const hasTar = (() => {
  try {
    execFileSync("tar", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()
if (!hasTar) console.warn("skipping the GNU tar cross-check: no tar on PATH")

describe.skipIf(!hasTar)("resolveDataPath: archives made by GNU tar", () => {
  it.each(["pax", "gnu", "ustar"])("extracts --format=%s byte for byte", async (format) => {
    const source = tempDir()
    const files: Record<string, Buffer> = {
      "data/ori_pqal.json": bytes(3000, 11),
      // ustar can split this one into prefix and name; pax and gnu write it whole.
      [`${"deep/".repeat(30)}deep.xml`]: bytes(513, 12),
      ...(format === "ustar" ? {} : { [`${"x".repeat(120)}/${"y".repeat(120)}.xml`]: bytes(10, 13) }),
    }
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(source, "repo-main", path, ".."), { recursive: true })
      writeFileSync(join(source, "repo-main", path), content)
    }
    const archive = join(source, "repo.tar.gz")
    execFileSync("tar", [`--format=${format}`, "-czf", archive, "-C", source, "repo-main"])
    const env = freshEnv(hub())
    const folder = await resolve(serve(`repo-${format}.tar.gz`, readFileSync(archive)), env)
    expect(tree(folder)).toEqual(Object.keys(files).sort())
    for (const [path, content] of Object.entries(files)) expect(read(join(folder, path)).equals(content), path).toBe(true)
  })
})

describe("resolveDataPath: local .tar.gz files", () => {
  const writeArchive = (items: ReadonlyArray<TarItem>, name = "MedQuAD-master.tar.gz"): string => {
    const file = join(tempDir(), name)
    writeFileSync(file, tarGz(items))
    return file
  }

  it("extracts a local archive once into the downloads cache, returning its top folder, and leaves the archive be", async () => {
    const env = freshEnv(hub())
    const archive = writeArchive(githubLike)
    const folder = await resolve(archive, env)
    expect(folder.startsWith(join(env.HF_HOME, "datasets", "downloads"))).toBe(true)
    expect(folder.endsWith(join("extracted", "MedQuAD-master"))).toBe(true)
    expect(tree(folder)).toEqual(Object.keys(expected).sort())
    expect(read(join(folder, "readme.txt")).equals(expected["readme.txt"]!)).toBe(true)
    rmSync(join(folder, "readme.txt"))
    // Reused as extracted: the same archive is not extracted again.
    expect(await resolve(archive, { ...env, HF_HUB_OFFLINE: "1" })).toBe(folder)
    expect(tree(folder)).not.toContain("readme.txt")
    expect(isFolder(archive)).toBe(false)
  })

  it("refuses an archive that expands past the limit, naming the field, the entry and the bytes, and keeps no partial folder", async () => {
    const env = freshEnv(hub())
    const archive = writeArchive([{ type: "0", name: "big.json", content: bytes(5000, 2) }], "big.tgz")
    const error = await Effect.runPromise(Effect.flip(resolveDataPath(archive, { env, maxArchiveBytes: { bytes: 4096, field: "data.max_archive_bytes" } })))
    expect(error.message).toBe(`${archive}: the archive expands past data.max_archive_bytes (4096 bytes) at "big.json"; raise data.max_archive_bytes if you trust it`)
    expect(readdirSync(join(env.HF_HOME, "datasets", "downloads")).flatMap((key) => readdirSync(join(env.HF_HOME, "datasets", "downloads", key)))).toEqual([])
    const folder = await Effect.runPromise(resolveDataPath(archive, { env, maxArchiveBytes: { bytes: 5000, field: "data.max_archive_bytes" } }))
    expect(tree(folder)).toEqual(["big.json"])
  })

  it("refuses a local file that is no .tar.gz by name, without deleting it", async () => {
    const env = freshEnv(hub())
    const file = join(tempDir(), "data.tar.gz")
    writeFileSync(file, "not gzip")
    expect((await failure(file, env)).message).toMatch(new RegExp(`^${file}: not a readable .tar.gz archive \\(.*\\); expected a gzip-compressed tar file$`))
    expect(readFileSync(file, "utf8")).toBe("not gzip")
  })
})
