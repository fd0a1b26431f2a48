// The PyTorch builds the benchmark measures beside peftlab: Debian's python3-torch (1.13 on
// OpenBLAS, the system Python) and the current wheel from PyPI (2.x, oneDNN/MKL kernels, bf16
// autocast on CPUs with AVX512-BF16), which is what users install. The PyPI one lives in a venv:
// .venv-goldens when .ci/run made it with the pinned version, otherwise .venv-bench, which this
// file creates from requirements.txt (pip from PyPI; minutes and ~5.5 GB the first time).
import { execFile } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

export interface TorchRuntime {
  /** "Debian" or "PyPI". */
  readonly source: string
  readonly python: string
  /** torch.__version__, e.g. "2.15.0+cu132". */
  readonly version: string
}

/** The row label of a runtime: "PyTorch 2.15 (PyPI)". */
export const runtimeLabel = (runtime: Pick<TorchRuntime, "source" | "version">): string => `PyTorch ${runtime.version.split(".").slice(0, 2).join(".")} (${runtime.source})`

const requirements = join(import.meta.dirname, "requirements.txt")

/** The torch version requirements.txt pins. */
const pinnedTorch = (): string => {
  const line = readFileSync(requirements, "utf8").split("\n").find((l) => l.startsWith("torch=="))
  if (!line) throw new Error(`${requirements}: no torch==VERSION line`)
  return line.slice("torch==".length).trim()
}

/** torch.__version__ under `python`, or the reason it has none. */
const torchVersion = async (python: string): Promise<{ version: string } | { missing: string }> => {
  if (!existsSync(python)) return { missing: `no ${python}` }
  try {
    const { stdout } = await run(python, ["-c", "import torch; print(torch.__version__)"])
    return { version: stdout.trim() }
  } catch (error) {
    return { missing: `${python} cannot import torch (${(error as Error).message.split("\n")[0]})` }
  }
}

/** Python in a venv at `dir` with the pinned torch, creating the venv when `create` and it has none. */
const pypiPython = async (root: string, create: boolean): Promise<{ python: string; version: string } | { missing: string }> => {
  const pin = pinnedTorch()
  for (const venv of [".venv-goldens", ".venv-bench"]) {
    const python = join(root, venv, "bin", "python")
    const found = await torchVersion(python)
    if ("version" in found && found.version.split("+")[0] === pin) return { python, version: found.version }
  }
  const python = join(root, ".venv-bench", "bin", "python")
  if (!create) return { missing: `no venv with torch ${pin} (.venv-goldens or .venv-bench); run the bench without --no-install to create .venv-bench` }
  console.log(`bench: creating .venv-bench with torch ${pin} from PyPI (${requirements})`)
  if (!existsSync(python)) await run("/usr/bin/python3", ["-m", "venv", join(root, ".venv-bench")])
  await run(python, ["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", requirements], { maxBuffer: 16 << 20 })
  const found = await torchVersion(python)
  return "version" in found ? { python, version: found.version } : found
}

/** Every runtime found (Debian's first), and a line for each that is not, saying why. */
export const torchRuntimes = async (root: string, options: { readonly install: boolean }): Promise<{ runtimes: Array<TorchRuntime>; unavailable: Array<string> }> => {
  const runtimes: Array<TorchRuntime> = []
  const unavailable: Array<string> = []
  const debian = await torchVersion("/usr/bin/python3")
  if ("version" in debian) runtimes.push({ source: "Debian", python: "/usr/bin/python3", version: debian.version })
  else unavailable.push(`PyTorch (Debian): ${debian.missing} (apt-get install python3-torch libopenblas0-pthread)`)
  const pypi = await pypiPython(root, options.install)
  if ("version" in pypi) runtimes.push({ source: "PyPI", ...pypi })
  else unavailable.push(`PyTorch (PyPI): ${pypi.missing}`)
  return { runtimes, unavailable }
}
