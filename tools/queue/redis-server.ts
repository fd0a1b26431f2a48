// A real redis-server for the queue tests and the queue benchmark: Debian's `redis-server` (installed by .ci/run), started
// on 127.0.0.1 on a free port in a temporary folder with no persistence, and stopped after (or
// restarted on the same port, empty, as a Redis without persistence comes back).
// Tests that need it skip, saying why, where it is not on PATH.
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Why the queue tests cannot run here, or undefined when redis-server is on PATH. */
export const redisMissing = (): string | undefined => {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" })
  return probe.error ? `redis-server is not on PATH (${probe.error.message}); install Debian's redis-server (.ci/run does)` : undefined
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

export interface RedisServer {
  readonly url: string
  readonly port: number
  /** redis-cli against this server, its output trimmed. */
  readonly cli: (...args: ReadonlyArray<string>) => string
  /** Stops the server (SIGTERM: with no persistence, every job is lost) and starts a new one on the same port `downMs` later. */
  readonly restart: (downMs: number) => Promise<void>
  readonly stop: () => Promise<void>
}

/** redis-server on 127.0.0.1:`port` with no persistence, once it accepts connections. */
const spawnRedis = async (port: number, dir: string): Promise<ChildProcess> => {
  const server: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000)
    server.stdout?.on("data", () => {
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer)
        resolve()
      }
    })
    server.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited (${code}):\n${output}`))
    })
  })
  return server
}

const stopServer = async (server: ChildProcess) => {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve))
    server.kill("SIGTERM")
    await exited
  }
}

export const startRedis = async (): Promise<RedisServer> => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "peftlab-redis-"))
  let server = await spawnRedis(port, dir)
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    cli: (...args) => spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8" }).stdout.trim(),
    restart: async (downMs) => {
      await stopServer(server)
      await new Promise((resolve) => setTimeout(resolve, downMs))
      server = await spawnRedis(port, dir)
    },
    stop: async () => {
      await stopServer(server)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
