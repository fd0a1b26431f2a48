// A hub-shaped HTTP server for the tests, answering as huggingface.co does: the API's revision
// endpoint ({"sha", "siblings"}); `resolve/` with X-Repo-Commit, an ETag that is the git blob
// id for regular files, and for LFS files (*.safetensors) a 302 to a second server, the "CDN",
// with X-Linked-Etag (the sha256) and X-Linked-Size; the CDN serving those blobs and plain data
// files, with Range support. Every request is recorded, and faults can be injected.
import { createHash } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface RepoSpec {
  readonly type?: "model" | "dataset"
  readonly id: string
  /** Commit hash → files (path → content). */
  readonly commits: Readonly<Record<string, Readonly<Record<string, string | Buffer>>>>
  /** Branch or tag → commit hash. */
  readonly refs: Readonly<Record<string, string>>
  /** When set, the hub answers 401 to requests without this token and 403 to another one. */
  readonly token?: string
}

export interface Recorded {
  readonly host: "hub" | "cdn"
  readonly method: string
  readonly path: string
  readonly range: string | undefined
  readonly authorization: string | undefined
}

export interface Faults {
  /** The next `times` responses for `file` stop after `bytes` bytes: the connection closes, or stalls. */
  cut?: { file: string; bytes: number; times: number; how: "close" | "stall" }
  /** The hub announces `file` as one byte longer than it is. */
  wrongSize?: string
  /** `file` is served with its last byte changed. */
  corrupt?: string
  /** `resolve/` answers without X-Repo-Commit, as a web server that is no hub would. */
  noCommitHeader?: boolean
}

export interface FakeHub {
  readonly endpoint: string
  readonly cdn: string
  readonly requests: Array<Recorded>
  faults: Faults
  /** Plain files served at `{cdn}/data/{name}`. */
  readonly data: Map<string, Buffer>
  readonly close: () => Promise<void>
}

export const sha256 = (content: Buffer): string => createHash("sha256").update(content).digest("hex")
/** The git blob id, as `git hash-object` computes it. */
export const gitBlobId = (content: Buffer): string => createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex")
export const isLfs = (path: string): boolean => path.endsWith(".safetensors")
export const etagOf = (path: string, content: Buffer): string => (isLfs(path) ? sha256(content) : gitBlobId(content))

/** An origin where nothing listens. */
export const deadEndpoint = async (): Promise<string> => {
  const server = createServer()
  const origin = await listen(server)
  await new Promise((resolve) => server.close(resolve))
  return origin
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)))

export const startFakeHub = async (specs: ReadonlyArray<RepoSpec>): Promise<FakeHub> => {
  const requests: Array<Recorded> = []
  const data = new Map<string, Buffer>()
  const blobs = new Map<string, { path: string; content: Buffer }>()
  for (const spec of specs) {
    for (const files of Object.values(spec.commits)) {
      for (const [path, content] of Object.entries(files)) blobs.set(sha256(Buffer.from(content)), { path, content: Buffer.from(content) })
    }
  }
  const hub: FakeHub = { endpoint: "", cdn: "", requests, faults: {}, data, close: async () => undefined }

  const record = (host: Recorded["host"], req: IncomingMessage) =>
    requests.push({ host, method: req.method ?? "", path: req.url ?? "", range: req.headers.range, authorization: req.headers.authorization })

  const fail = (res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "X-Error-Code": code, "X-Error-Message": code, ...headers })
    res.end()
  }

  const sendBytes = (req: IncomingMessage, res: ServerResponse, file: string, content: Buffer, headers: Record<string, string>) => {
    const body = hub.faults.corrupt === file ? Buffer.concat([content.subarray(0, -1), Buffer.from([(content.at(-1)! + 1) % 256])]) : content
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0)
    const rest = body.subarray(start)
    const range = start > 0 ? { "Content-Range": `bytes ${start}-${body.length - 1}/${body.length}` } : {}
    res.writeHead(start > 0 ? 206 : 200, { ...headers, ...range, "Content-Length": String(rest.length), "Accept-Ranges": "bytes" })
    if (req.method === "HEAD") return void res.end()
    const cut = hub.faults.cut
    if (cut?.file !== file || cut.times === 0) return void res.end(rest)
    cut.times -= 1
    // The pause lets the client take in what was sent before the connection goes.
    res.write(rest.subarray(0, cut.bytes), () => {
      if (cut.how === "close") setTimeout(() => res.destroy(), 30)
    })
  }

  const hubServer = createServer((req, res) => {
    record("hub", req)
    const url = new URL(req.url ?? "/", hub.endpoint)
    const parts = url.pathname.split("/").slice(1)
    const api = parts[0] === "api"
    const type = (api ? parts[1] === "datasets" : parts[0] === "datasets") ? "dataset" : "model"
    const rest = parts.slice(api ? 2 : type === "dataset" ? 1 : 0)
    const spec = specs.find((s) => (s.type ?? "model") === type && s.id === rest.slice(0, s.id.split("/").length).join("/"))
    const [verb, revision = "", ...path] = rest.slice(spec?.id.split("/").length ?? 0)
    if (spec === undefined || verb !== (api ? "revision" : "resolve")) return fail(res, 404, "RepoNotFound")
    if (spec.token !== undefined && req.headers.authorization !== `Bearer ${spec.token}`) {
      return fail(res, req.headers.authorization === undefined ? 401 : 403, "GatedRepo")
    }
    const rev = decodeURIComponent(revision)
    const commit = spec.refs[rev] ?? (spec.commits[rev] === undefined ? undefined : rev)
    const files = commit === undefined ? undefined : spec.commits[commit]
    if (commit === undefined || files === undefined) return fail(res, 404, "RevisionNotFound")
    if (api) {
      res.writeHead(200, { "Content-Type": "application/json" })
      return void res.end(JSON.stringify({ id: spec.id, sha: commit, siblings: Object.keys(files).map((rfilename) => ({ rfilename })) }))
    }
    const file = path.map(decodeURIComponent).join("/")
    const raw = files[file]
    if (raw === undefined) return fail(res, 404, "EntryNotFound", { "X-Repo-Commit": commit })
    const content = Buffer.from(raw)
    const size = String(content.length + (hub.faults.wrongSize === file ? 1 : 0))
    const repoCommit: Record<string, string> = hub.faults.noCommitHeader ? {} : { "X-Repo-Commit": commit }
    if (!isLfs(file)) return sendBytes(req, res, file, content, { ...repoCommit, ETag: `"${gitBlobId(content)}"` })
    res.writeHead(302, {
      Location: `${hub.cdn}/blobs/${sha256(content)}`,
      ...repoCommit,
      "X-Linked-Etag": `"${sha256(content)}"`,
      "X-Linked-Size": size,
      ETag: `W/"pointer-${commit.slice(0, 8)}"`,
    })
    res.end()
  })

  const cdnServer = createServer((req, res) => {
    record("cdn", req)
    const [, kind, name = ""] = new URL(req.url ?? "/", hub.cdn).pathname.split("/")
    const blob = kind === "blobs" ? blobs.get(name) : undefined
    const file = kind === "data" ? data.get(decodeURIComponent(name)) : undefined
    if (blob !== undefined) return sendBytes(req, res, blob.path, blob.content, {})
    if (file !== undefined) return sendBytes(req, res, decodeURIComponent(name), file, { ETag: `"${sha256(file)}"` })
    fail(res, 404, "NotFound")
  })

  const endpoint = await listen(hubServer)
  const cdn = await listen(cdnServer)
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return Object.assign(hub, { endpoint, cdn, close: async () => void (await Promise.all([close(hubServer), close(cdnServer)])) })
}
