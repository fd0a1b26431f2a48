// The terminal UI in a real terminal: `peftlab run` inside a detached tmux session of fixed
// size draws its arms table, and q stops it like SIGINT: exit 130, a folder the same command
// resumes from. tmux gives the run a pseudo-terminal, so Ink and its raw-mode keys are real.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { bin, quickstartVariant, tinyRun } from "./cli.ts"

const shared = process.env.PEFTLAB_DATA && process.env.PEFTLAB_MODELS
const hasTmux = spawnSync("tmux", ["-V"]).status === 0
if (!shared) console.warn("skipping the terminal UI end-to-end check: PEFTLAB_DATA or PEFTLAB_MODELS unset")
if (!hasTmux) console.warn("skipping the terminal UI end-to-end check: tmux is not installed (apt-get install tmux)")

// A server of its own (-L) with no user configuration (-f): nothing of the user's tmux is touched.
const socket = `peftlab-e2e-${process.pid}`
const tmux = (...args: ReadonlyArray<string>) => {
  const result = spawnSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8", env: process.env })
  return { ok: result.status === 0, stdout: result.stdout }
}
const screen = () => tmux("capture-pane", "-p", "-J", "-t", "run").stdout

/** Polls until `ready` holds, failing with the last screen after `timeoutMs`. */
const until = async (what: string, ready: () => boolean, timeoutMs = 120_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen was:\n${screen()}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe.skipIf(!shared || !hasTmux)("peftlab run in a real terminal (tmux)", () => {
  it("draws the arms table, and q stops the run with exit 130 leaving a folder to resume from", async () => {
    const { file, dir } = quickstartVariant(tinyRun)
    const out = join(dir, "results")
    // The shell writes the run's exit status to a file: tmux's own pane_dead_status was seen
    // to stay empty under load. The pane stays after the command exits, so its last screen can be read.
    const statusFile = join(dir, "exit-status")
    const exitStatus = () => (existsSync(statusFile) ? readFileSync(statusFile, "utf8").trim() : "")
    const started = tmux("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";", "new-session", "-d", "-s", "run", "-x", "120", "-y", "40",
      // Ink draws only a final frame when it believes it runs in CI.
      "sh", "-c", `env -u CI -u CONTINUOUS_INTEGRATION "$@"; echo $? > '${statusFile}.part' && mv '${statusFile}.part' '${statusFile}'`,
      "sh", process.execPath, bin, "run", file, "--out", out, "--backend", "wasm")
    expect(started.ok).toBe(true)
    try {
      await until("the arms table", () => /^arm\s+state\s+progress/m.test(screen()))
      expect(screen()).toMatch(/^qlora\s+queued/m)
      // By the time prompt trains, base is finished and prompt's first checkpoint is due.
      await until("prompt training", () => /^prompt\s+training\s+epoch 1\/2/m.test(screen()))
      expect(screen()).toMatch(/^base\s+done/m)
      expect(tmux("send-keys", "-t", "run", "q").ok).toBe(true)
      await until("the run to exit", () => exitStatus() !== "", 60_000)
      expect(exitStatus()).toBe("130")
      const final = screen()
      expect(final).toContain("stopping after the current step")
      expect(final).toContain("interrupted: finished arms are kept")

      expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).status).toBe("interrupted")
      expect(existsSync(join(out, "arms", "base", "result.json"))).toBe(true)
      const prompt = join(out, "arms", "prompt")
      expect(existsSync(join(prompt, "checkpoint", "state.json")) || existsSync(join(prompt, "result.json"))).toBe(true)
    } finally {
      tmux("kill-server")
    }
  })
})
