// Arms as jobs on BullMQ and Redis (issue 19), through the real CLI against a real redis-server:
// `peftlab run --queue` submits, separate `peftlab worker` processes train; the results folder
// is the local run's, a second submit reattaches instead of training again, and a worker killed
// with SIGKILL mid-arm leaves its arm to another worker, which resumes it from its checkpoint, and
// a Redis restarted mid-run (no persistence: every job lost) costs no arm and no duplicate. The
// submitter shows the workers' events, relayed through Redis (JSON lines, plain lines), and one
// killed with SIGKILL mid-grid is run again: it reattaches to the jobs the workers go on with.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import type { RunEvent } from "@peftlab/core"
import { join, relative } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { peftlab, quickstartVariant } from "./cli.ts"
import { startPeftlab as start, startWorker, stopProcess as stopWorker, until } from "../../tools/queue/processes.ts"
import { redisMissing, startRedis, type RedisServer } from "../../tools/queue/redis-server.ts"

const missing = redisMissing()
if (missing) console.warn(`skipping the queue tests: ${missing}`)

/** How many times each arm's job was `started` (or `finished`) across the workers' logs. */
const timesLogged = (what: "started" | "finished", ...logs: ReadonlyArray<string>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const log of logs) for (const [, arm] of log.matchAll(new RegExp(`^(\\S+): ${what} \\(job`, "gm"))) counts[arm!] = (counts[arm!] ?? 0) + 1
  return counts
}
const starts = (...logs: ReadonlyArray<string>) => timesLogged("started", ...logs)

/** The events of a `peftlab run --json`'s output (its other lines, from stderr, left out). */
const eventsIn = (output: string): Array<RunEvent> =>
  output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as RunEvent)

/** `arm`'s training steps among `events`, each with its total. */
const stepsOf = (events: ReadonlyArray<RunEvent>, arm: string) => events.flatMap((event) => (event.type === "train-step" && event.arm === arm ? [event] : []))

/** `arm`'s phase events among `events` that say `phase`. */
const phasesOf = (events: ReadonlyArray<RunEvent>, arm: string, phase: string) => events.filter((event) => event.type === "arm-phase" && event.arm === arm && event.phase === phase)

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => statSync(join(dir, file)).isFile())
    .map((file) => relative(dir, join(dir, file)))
    .sort()

/** A JSON value without what depends on the clock (timings, latencies, dates). */
const untimed = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(untimed)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !/(^ms$|Ms$|latency|perSecond|_at$)/i.test(key))
      .map(([key, v]) => [key, untimed(v)]),
  )
}

const json = (file: string) => JSON.parse(readFileSync(file, "utf8")) as unknown
const jsonLines = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as unknown)
/** A CSV without its latency columns. */
const untimedCsv = (file: string) => {
  const rows = readFileSync(file, "utf8").trim().split("\n").map((row) => row.split(","))
  const keep = rows[0]!.map((name, i) => (/latency/i.test(name) ? -1 : i)).filter((i) => i >= 0)
  return rows.map((row) => keep.map((i) => row[i]))
}

// What holds timings or renders them (figures, reports) or is a tracker's copy; the rest must match byte for byte.
const timed = /^(figures|mlruns|tensorboard)\/|^report\.(html|md)$|^results(_by_config)?\.(csv|md)$|^manifest\.json$|^train_log\.jsonl$|^arms\//

/** `queued` holds the same results as `local`: adapters, predictions and statistics byte for byte, records but for timings. */
const expectSameResults = (local: string, queued: string) => {
  const files = filesUnder(local).filter((file) => !/^(mlruns|tensorboard)\//.test(file))
  expect(filesUnder(queued).filter((file) => !/^(mlruns|tensorboard)\//.test(file))).toEqual(files)
  expect(files.some((file) => file.startsWith("adapters/"))).toBe(true)
  for (const file of files.filter((file) => !timed.test(file))) expect(readFileSync(join(queued, file)), file).toEqual(readFileSync(join(local, file)))
  for (const file of files.filter((file) => file.startsWith("arms/"))) expect(untimed(json(join(queued, file))), file).toEqual(untimed(json(join(local, file))))
  expect(untimed(jsonLines(join(queued, "train_log.jsonl")))).toEqual(untimed(jsonLines(join(local, "train_log.jsonl"))))
  expect(untimedCsv(join(queued, "results.csv"))).toEqual(untimedCsv(join(local, "results.csv")))
  expect((json(join(queued, "manifest.json")) as { fingerprint: string }).fingerprint).toBe((json(join(local, "manifest.json")) as { fingerprint: string }).fingerprint)
}

/** The quickstart on `train` examples (6 val, 6 test) for `epochs`, a checkpoint every step, with these arms. */
const queueRun = (train: number, epochs: number, arms: ReadonlyArray<Record<string, unknown>>) =>
  quickstartVariant((spec) => {
    spec.data.limit = { train, val: 6, test: 6 }
    spec.training.epochs = epochs
    spec.training.checkpoint_every = 1
    spec.stats.bootstrap.B = 100
    spec.arms = arms
  })

const loraArm = { name: "lora", kind: "lora", r: 2, lora_alpha: 4, target_modules: ["q_proj", "v_proj"] }

/** Six LoRA configurations (a sweep that selection picks one of), a prompt arm and the base: eight jobs. */
const sweepSpec = () =>
  queueRun(8, 1, [{ name: "base", kind: "base" }, { name: "prompt", kind: "prompt", num_virtual_tokens: 4 }, { ...loraArm, sweep: { r: [2, 4, 8], "training.lr": [0.01, 0.05] } }])
const sweepArms = ["base", "prompt", ...["r2", "r4", "r8"].flatMap((r) => [`lora-${r}-lr0.01`, `lora-${r}-lr0.05`])]


/** A base and a LoRA arm (with `lora` added to it) on 64 examples for 2 epochs (16 steps): an arm long enough to interrupt. */
const checkpointedRun = (lora: Record<string, unknown>) => queueRun(64, 2, [{ name: "base", kind: "base" }, { ...loraArm, ...lora }])

/** The spec `made`, run locally into `local` under its folder: the results a queued run must equal. */
const withLocalRun = (made: { file: string; dir: string }) => {
  const local = join(made.dir, "local")
  const run = peftlab(["run", made.file, "--out", local, "--no-tui", "--backend", "wasm"])
  expect(run.code, run.stderr).toBe(0)
  return { ...made, local }
}

/** A two-configuration LoRA sweep beside the base, 16 steps an arm, and its local run: made once, for the tests that share it. */
let sweptOnce: ReturnType<typeof withLocalRun> | undefined
const checkpointedSweep = () => (sweptOnce ??= withLocalRun(checkpointedRun({ sweep: { r: [2, 4] } })))

/** The pid of the process that holds `arm`'s folder in `out` (the worker's child training it). */
const armProcess = (out: string, arm: string): number => Number(/^pid (\d+)$/m.exec(readFileSync(join(out, "arms", arm, ".peftlab.lock"), "utf8"))?.[1])

describe.skipIf(missing !== undefined)("peftlab run --queue with peftlab worker", () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it("a sweep of six configurations on two workers gives the local run's results folder, the workers' events in the submitter's --json", async () => {
    const { file, dir, local } = withLocalRun(sweepSpec())
    const workers = [await startWorker(redis.url), await startWorker(redis.url)]
    try {
      const queued = start(["run", file, "--out", join(dir, "queued"), "--json", "--backend", "wasm", "--queue", redis.url])
      expect(await queued.exited, queued.output()).toBe(0)
      expect(queued.output()).toMatch(/lora: selected lora-r\d-lr0\.0\d of 6 configurations/)
      expect(starts(...workers.map((w) => w.output()))).toEqual(Object.fromEntries(sweepArms.map((arm) => [arm, 1])))
      // Both workers took arms.
      for (const worker of workers) expect(worker.output()).toMatch(/started \(job/)
      // Only the workers train: each trained arm's steps, up to its last, reached the submitter through Redis, and its end.
      const events = eventsIn(queued.output())
      for (const arm of sweepArms.filter((arm) => arm !== "base")) {
        const steps = stepsOf(events, arm)
        expect(steps.length, arm).toBeGreaterThan(0)
        expect(steps.at(-1), arm).toMatchObject({ step: steps[0]!.totalSteps, epoch: 1, epochs: 1 })
      }
      // Sweep members end trained, as only a worker's sweep-member job says; base and prompt end done, their results with them.
      for (const arm of sweepArms.filter((arm) => arm.startsWith("lora-"))) expect(phasesOf(events, arm, "done"), arm).toContainEqual({ type: "arm-phase", arm, phase: "done", detail: "trained; test evaluation only if selected" })
      for (const arm of ["base", "prompt"]) {
        expect(phasesOf(events, arm, "done"), arm).toContainEqual({ type: "arm-phase", arm, phase: "done" })
        expect(events.filter((event) => event.type === "arm-result" && event.arm === arm).length, arm).toBeGreaterThanOrEqual(1)
      }
    } finally {
      await Promise.all(workers.map(stopWorker))
    }
    expectSameResults(local, join(dir, "queued"))
  }, 240_000)

  it("submitting the same run again reattaches to its jobs instead of training any arm twice", async () => {
    const { file, dir } = sweepSpec()
    const args = ["run", file, "--out", join(dir, "out"), "--no-tui", "--backend", "wasm", "--queue", redis.url]
    // No worker yet: the first submitter queues every arm and is killed while it waits.
    const first = start(args)
    await until("every arm queued", () => (first.output().match(/\] queued/g) ?? []).length === sweepArms.length)
    first.child.kill("SIGKILL")
    await first.exited
    const second = start(args)
    await until("the second submitter to reattach", () => (second.output().match(/\] queued: already on/g) ?? []).length === sweepArms.length)
    const worker = await startWorker(redis.url)
    try {
      expect(await second.exited, second.output()).toBe(0)
      // A third submit finds every arm in the folder and queues nothing.
      const third = start(args)
      expect(await third.exited, third.output()).toBe(0)
      expect(third.output()).not.toMatch(/queued/)
      expect(starts(worker.output())).toEqual(Object.fromEntries(sweepArms.map((arm) => [arm, 1])))
    } finally {
      await stopWorker(worker)
    }
    // One job per arm of this run on the queue (the first test's eight are there too), all completed.
    expect(Number(redis.cli("ZCARD", "bull:peftlab-wasm:completed"))).toBe(2 * sweepArms.length)
    for (const arm of sweepArms.filter((arm) => arm.startsWith("lora"))) expect(existsSync(join(dir, "out", "arms", arm, "trained.json"))).toBe(true)
  }, 180_000)

  it("a worker killed with SIGKILL mid-arm: another worker resumes the arm from its checkpoint, one result per arm", async () => {
    // Sixteen steps of a checkpoint each, so that the kill lands mid-training with a checkpoint there.
    const { file, dir, local } = withLocalRun(checkpointedRun({}))
    // A short lock, so that the dead worker's job comes back within seconds.
    const env = { PEFTLAB_QUEUE_LOCK_MS: "3000" }
    const workers = [await startWorker(redis.url, env), await startWorker(redis.url, env)]
    const out = join(dir, "queued")
    try {
      const queued = start(["run", file, "--out", out, "--no-tui", "--backend", "wasm", "--queue", redis.url])
      await until("lora to checkpoint", () => existsSync(join(out, "arms", "lora", "checkpoint")) && workers.some((w) => w.output().includes("lora: training")))
      const victim = workers.find((w) => /^lora: started/m.test(w.output()))!
      const survivor = workers.find((w) => w !== victim)!
      victim.child.kill("SIGKILL")
      await victim.exited
      expect(await queued.exited, queued.output()).toBe(0)
      expect(survivor.output()).toMatch(/^lora: training \(resumed at step [1-9]\d*\)$/m)
      expect(starts(victim.output())).toEqual({ lora: 1 })
      expect(starts(survivor.output()).lora).toBe(1)
    } finally {
      await Promise.all(workers.map(stopWorker))
    }
    // One result per arm, nothing half-written or left behind (checkpoints, locks), and the resumed arm's adapter as trained in one go.
    expectSameResults(local, out)
  }, 180_000)
  it("Redis restarted mid-run without persistence: the jobs are queued again, each arm finishes once, the local run's results", async () => {
    // Its own Redis, so that the restart loses no other test's jobs.
    const own = await startRedis()
    const { file, dir, local } = checkpointedSweep()
    // Three slots for three jobs: when Redis comes back, a job queued again finds a free slot while its arm's first process still trains.
    const workers = [await startWorker(own.url), await startWorker(own.url, {}, ["--concurrency", "2"])]
    const out = join(dir, "queued")
    const waitedForLock = /another process \(pid \d+\) holds .*; waiting for it/
    const logs = () => workers.map((w) => w.output()).join("\n")
    let paused: number | undefined
    try {
      const queued = start(["run", file, "--out", out, "--no-tui", "--backend", "wasm", "--queue", own.url])
      const training = () => ["lora-r2", "lora-r4"].find((arm) => existsSync(join(out, "arms", arm, "checkpoint")) && workers.some((w) => w.output().includes(`${arm}: training`)))
      await until("a LoRA arm to checkpoint", () => training() !== undefined, 120_000)
      // That arm's process paused across the restart, so that its job, queued again, surely finds it still holding the arm.
      paused = armProcess(out, training()!)
      process.kill(paused, "SIGSTOP")
      await own.restart(2000)
      // The job queued again waits for the arm's first process instead of failing on its lock.
      await until("the job queued again to wait for the arm's first process", () => waitedForLock.test(logs()), 120_000)
      process.kill(paused, "SIGCONT")
      paused = undefined
      expect(await queued.exited, queued.output()).toBe(0)
      expect(queued.output()).toMatch(/is gone from .* queued again/)
      expect(logs()).not.toMatch(/: failed \(job/)
    } finally {
      if (paused !== undefined) process.kill(paused, "SIGCONT")
      await Promise.all(workers.map(stopWorker))
      await own.stop()
    }
    // One result per arm, nothing half-written or left behind, the adapters as trained in one go.
    expectSameResults(local, out)
  }, 240_000)

  it("the submitter killed mid-grid: the workers go on, the same command again reattaches to their jobs, no arm trained twice, the local run's results", async () => {
    const { file, dir, local } = checkpointedSweep()
    const out = join(dir, "resubmitted")
    const args = ["run", file, "--out", out, "--backend", "wasm", "--queue", redis.url]
    const workers = [await startWorker(redis.url), await startWorker(redis.url)]
    let paused: number | undefined
    try {
      // Off a terminal, the submitter prints the workers' training progress as plain lines.
      const first = start([...args, "--no-tui"])
      const progressLine = /^\[(lora-r\d)\] epoch 1\/2 step \d+\/16 loss \S+/m
      await until("a LoRA arm's steps at the submitter", () => progressLine.test(first.output()), 120_000)
      first.child.kill("SIGKILL")
      await first.exited
      // That arm's process paused while the submitter is away, so that the second finds its job in progress (the other arms go on).
      const arm = progressLine.exec(first.output())![1]!
      paused = armProcess(out, arm)
      process.kill(paused, "SIGSTOP")
      const second = start([...args, "--json"])
      await until("the second submitter to reattach", () => phasesOf(eventsIn(second.output()), arm, "queued").some((event) => event.type === "arm-phase" && event.detail?.startsWith("already on")))
      process.kill(paused, "SIGCONT")
      paused = undefined
      expect(await second.exited, second.output()).toBe(0)
      // The reattached job's steps, relayed by its worker, go on up to the last, and its training ends once.
      const events = eventsIn(second.output())
      const steps = stepsOf(events, arm).map((event) => event.step)
      expect(steps.length).toBeGreaterThan(1)
      expect(steps.at(-1)).toBe(16)
      expect(steps.slice(1).every((step, i) => step > steps[i]!), steps.join(",")).toBe(true)
      expect(phasesOf(events, arm, "done")).toEqual([{ type: "arm-phase", arm, phase: "done", detail: "trained; test evaluation only if selected" }])
      expect(events.at(-1)).toMatchObject({ type: "run-end", ok: true })
    } finally {
      if (paused !== undefined) process.kill(paused, "SIGCONT")
      await Promise.all(workers.map(stopWorker))
    }
    // Each arm's job started and finished once: its adapter written once, into the folder the local run's equals.
    const once = Object.fromEntries(["base", "lora-r2", "lora-r4"].map((arm) => [arm, 1]))
    expect(starts(...workers.map((w) => w.output()))).toEqual(once)
    expect(timesLogged("finished", ...workers.map((w) => w.output()))).toEqual(once)
    expectSameResults(local, out)
  }, 240_000)
})
