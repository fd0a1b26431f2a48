// The Redis a run's arms are queued on, as the user writes it (`--queue redis://HOST:PORT[/DB]`
// or the spec's execution.queue): checked before anything is loaded, and checked reachable before
// any job is sent, each problem an InputError (exit 2) naming the flag, the field or the URL.
import { Effect } from "effect"
import { Redis } from "ioredis"
import { InputError } from "@peftlab/core"

/** A --queue value or execution.queue that is no Redis URL. */
export class QueueUrlError extends InputError("QueueUrlError") {}
/** A Redis that does not answer. */
export class QueueUnreachable extends InputError("QueueUnreachable") {}

export interface QueueUrl {
  /** As written, for messages (its password, if any, hidden). */
  readonly shown: string
  readonly host: string
  readonly port: number
  readonly db: number
  readonly username?: string
  readonly password?: string
  readonly tls: boolean
}

const expected = "expected redis://HOST:PORT[/DB] (or rediss:// for TLS)"

/** `text` as a Redis URL; `source` names where it was written (`--queue`, `execution.queue in spec.yaml`). */
export const parseQueueUrl = (text: string, source: string): Effect.Effect<QueueUrl, QueueUrlError> =>
  Effect.gen(function* () {
    const bad = (why: string) => Effect.fail(new QueueUrlError({ source, detail: `${why}; ${expected}` }))
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return yield* bad(`"${text}" is not a URL`)
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") return yield* bad(`"${text}" is a ${url.protocol.replace(/:$/, "")} URL`)
    if (url.hostname === "") return yield* bad(`"${text}" names no host`)
    const port = url.port === "" ? 6379 : Number(url.port)
    const path = url.pathname.replace(/^\//, "")
    if (path !== "" && !/^\d+$/.test(path)) return yield* bad(`"${url.pathname}" is not a database number`)
    if (url.search !== "" || url.hash !== "") return yield* bad(`"${text}" has a query or fragment`)
    const password = url.password === "" ? undefined : decodeURIComponent(url.password)
    const username = url.username === "" ? undefined : decodeURIComponent(url.username)
    const shown = password === undefined ? text : text.replace(`:${url.password}@`, ":***@")
    return {
      shown,
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port,
      db: path === "" ? 0 : Number(path),
      tls: url.protocol === "rediss:",
      ...(username !== undefined && { username }),
      ...(password !== undefined && { password }),
    }
  })

/**
 * ioredis options for `url`: BullMQ's workers need maxRetriesPerRequest null (they block on
 * Redis), and a lost connection (Redis restarted) is retried for as long as the process runs,
 * every 2 s at most, commands waiting meanwhile, so that workers and the submitter carry on when
 * Redis is back.
 */
export const connectionOf = (url: QueueUrl) => ({
  host: url.host,
  port: url.port,
  db: url.db,
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  retryStrategy: (times: number) => Math.min(200 * times, 2000),
  ...(url.username !== undefined && { username: url.username }),
  ...(url.password !== undefined && { password: url.password }),
  ...(url.tls && { tls: {} }),
})

/** Fails with QueueUnreachable, naming the URL, unless Redis answers a PING within a few seconds. */
export const checkReachable = (url: QueueUrl): Effect.Effect<void, QueueUnreachable> =>
  Effect.tryPromise({
    try: async () => {
      const client = new Redis({ ...connectionOf(url), lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
      client.on("error", () => undefined)
      try {
        await client.connect()
        await client.ping()
      } finally {
        client.disconnect()
      }
    },
    catch: (cause) =>
      new QueueUnreachable({
        source: url.shown,
        detail: `Redis does not answer (${cause instanceof Error ? cause.message : String(cause)}); start redis-server there, or pass another --queue`,
      }),
  })
