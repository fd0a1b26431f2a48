// tfjs-node and tfjs-node-gpu bind tfjs to TensorFlow's C library, which their npm install
// downloads (the -gpu one built with CUDA). That fails on many machines, so they are optional
// peers, never dependencies: a plugin resolves its package only when asked, and says how to
// install it when it is missing.
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import * as tf from "@tensorflow/tfjs"
import { availableParallelism } from "node:os"
import { hostDevice, type BackendPlugin, type DeviceInfo } from "@peftlab/core"

export interface TfjsNodeFlavour {
  /** The peftlab backend name ("tfjs-node"). */
  readonly name: string
  readonly description: string
  /** The npm package to load ("@tensorflow/tfjs-node"), or a path to a module standing in for it. */
  readonly packageName: string
  /** What its install downloads or needs, for the hint when it is missing. */
  readonly installNote: string
  /** The module (import.meta.url) whose node_modules hold the package: the plugin that peers it. */
  readonly resolveFrom: string
  /** Its libtensorflow's device: "cpu" (every core of the host), or "gpu" (CUDA). */
  readonly computesOn: DeviceInfo["kind"]
}

// Both packages register their backend under this name, and select it when imported.
const tensorflowBackend = "tensorflow"

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

export const makeTfjsNodePlugin = (flavour: TfjsNodeFlavour): BackendPlugin => {
  const { packageName } = flavour
  const resolved = (): string | undefined => {
    try {
      return createRequire(flavour.resolveFrom).resolve(packageName)
    } catch {
      return undefined
    }
  }
  // Importing it is the only way to know that its native addon and libtensorflow load; it also
  // selects its backend, as setup would.
  const load = async (path: string): Promise<void> => {
    try {
      await import(pathToFileURL(path).href)
    } catch (cause) {
      throw new Error(`${packageName} is installed but does not load: ${messageOf(cause)}`)
    }
    if (tf.findBackendFactory(tensorflowBackend) === null) {
      throw new Error(
        `${packageName} loaded but registered its backend with another copy of @tensorflow/tfjs; ` +
          `install the version matching @tensorflow/tfjs ${tf.version.tfjs}`,
      )
    }
  }
  const notInstalled = `${packageName} is not installed; install it with "npm install ${packageName}" (${flavour.installNote})`

  return {
    name: flavour.name,
    description: flavour.description,
    probe: async () => {
      const path = resolved()
      if (path === undefined) return { available: false, reason: notInstalled }
      try {
        await load(path)
        return { available: true }
      } catch (cause) {
        return { available: false, reason: messageOf(cause) }
      }
    },
    setup: async () => {
      const path = resolved()
      if (path === undefined) throw new Error(notInstalled)
      await load(path)
      if (!(await tf.setBackend(tensorflowBackend))) throw new Error(`tfjs could not initialise the backend of ${packageName}`)
      await tf.ready()
    },
    device: async () =>
      flavour.computesOn === "gpu"
        ? { kind: "gpu", description: "an NVIDIA GPU through CUDA, as libtensorflow picks it" }
        : hostDevice(availableParallelism(), "libtensorflow"),
    memory: () => ({ tensors: tf.memory().numTensors, tensorBytes: tf.memory().numBytes }),
  }
}
