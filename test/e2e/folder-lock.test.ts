// One run per results folder (issue 17): `peftlab run` into a folder whose lock a live process
// holds exits 2 naming that pid and writes nothing; a lock left by a dead process is taken over
// with a warning, and a finished or interrupted (SIGINT) run leaves no lock behind.
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, peftlabChild, quickstartVariant } from "./cli.ts"

const small = ["data.limit.train=8", "data.limit.val=6", "data.limit.test=6", "training.epochs=1"].flatMap((value) => ["--set", value])

describe("the results folder's lock", () => {
  const { file, dir } = quickstartVariant((spec) => {
    spec.arms = spec.arms.filter((arm: { name: string }) => arm.name === "base")
    spec.stats.bootstrap.B = 100
  })

  it("refuses a second run while the first holds the folder, naming its pid and writing nothing", () => {
    const out = join(dir, "held")
    mkdirSync(out)
    // A process that stays alive, as a running `peftlab run` would, holding the folder's lock.
    const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" })
    try {
      writeFileSync(join(out, ".peftlab.lock"), `pid ${holder.pid}\n`)
      const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm", ...small])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`another peftlab run (pid ${holder.pid}) is writing to this folder`)
      expect(run.stderr).not.toMatch(/\n\s+at /)
      expect(readdirSync(out)).toStrictEqual([".peftlab.lock"])
    } finally {
      holder.kill()
    }
  })

  it("refuses a run into a folder a training run holds; that run, stopped by SIGINT, releases it", async () => {
    const out = join(dir, "busy")
    const { file: training } = quickstartVariant((spec) => {
      spec.arms = spec.arms.filter((arm: { name: string }) => arm.name === "lora")
      spec.stats.baseline = "lora"
      spec.stats.bootstrap.B = 100
    })
    const child = peftlabChild(["run", training, "--out", out, "--no-tui", "--backend", "wasm", "--set", "data.limit.train=64", "--set", "training.epochs=3"])
    const training1 = new Promise<void>((resolve, reject) => {
      child.on("exit", (code) => reject(new Error(`the first run ended (${code}) before training`)))
      let stdout = ""
      child.stdout.on("data", (chunk) => {
        stdout += String(chunk)
        if (/\[lora\] epoch 1\/3 step 1\//.test(stdout)) resolve()
      })
    })
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    await training1
    expect(readFileSync(join(out, ".peftlab.lock"), "utf8")).toContain(`pid ${child.pid}`)
    const second = peftlab(["run", training, "--out", out, "--no-tui", "--backend", "wasm", "--set", "data.limit.train=64", "--set", "training.epochs=3"])
    expect(second.code).toBe(2)
    expect(second.stderr).toContain(`another peftlab run (pid ${child.pid}) is writing to this folder`)
    child.kill("SIGINT")
    expect(await exited).toBe(130)
    expect(existsSync(join(out, ".peftlab.lock"))).toBe(false)
  })

  it("takes over a dead run's lock with a warning and removes it at the end", () => {
    const out = join(dir, "stale")
    mkdirSync(out)
    const dead = spawnSync(process.execPath, ["-e", ""]).pid
    writeFileSync(join(out, ".peftlab.lock"), `pid ${dead}\n`)
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm", ...small])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`the lock of pid ${dead}, which is no longer running, is taken over`)
    expect(existsSync(join(out, ".peftlab.lock"))).toBe(false)
    expect(existsSync(join(out, "manifest.json"))).toBe(true)
  })

  it("refuses a file given as --out by name", () => {
    const out = join(dir, "a-file")
    writeFileSync(out, "")
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm", ...small])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`${out}: expected a folder for the results, but a file is there`)
  })
})
