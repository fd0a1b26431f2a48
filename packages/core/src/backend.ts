// A compute backend for tfjs. Each plugin under plugins/ provides one `BackendPlugin`; the CLI
// picks one by name (`--backend`) and provides its layer to the pipeline. Once set up, the
// `Backend` service says what the run computes on (the device, for the run's first line, the
// manifest and `peftlab backends`) and how much memory it holds (for the screen and the logs).
import { Context, Effect, Layer } from "effect"
import { InputError } from "./input-error.ts"

export class BackendUnavailable extends InputError("BackendUnavailable") {}

/** What a backend computes on. */
export interface DeviceInfo {
  /** "gpu" for a GPU adapter (a software one such as Mesa's lavapipe included), "cpu" otherwise. */
  readonly kind: "cpu" | "gpu"
  /** In words, e.g. "AMD EPYC 9R14, 1 thread (WebAssembly SIMD)" or "llvmpipe (LLVM 19.1.7, 256 bits), Vulkan". */
  readonly description: string
  /** Threads its kernels run on, where it computes on the CPU. */
  readonly threads?: number
  /** The largest buffer one binding of the device may hold, where it is a GPU. */
  readonly maxBindingBytes?: number
}

/** What tfjs holds on a backend, as its `tf.memory()` reports it. */
export interface TensorMemory {
  readonly tensors: number
  /** Bytes of every live tensor's data. */
  readonly tensorBytes: number
  /** Bytes the GPU holds in buffers (live and pooled), where the backend reports it. */
  readonly deviceBytes?: number
}

/** The process's memory beside its tensors. */
export interface BackendMemory extends TensorMemory {
  /** Resident set size of the process. */
  readonly rssBytes: number
}

/** The active backend, once set up: tfjs is ready to run on it. */
export class Backend extends Context.Service<
  Backend,
  {
    readonly name: string
    readonly device: DeviceInfo
    /** A sample of memory in use now. */
    readonly memory: Effect.Effect<BackendMemory>
  }
>()("@peftlab/core/Backend") {}

/** What the caller tells a backend about the machine it shares. */
export interface BackendSetup {
  /**
   * CPU threads its kernels may use: the cores this process may use, divided among the tfjs
   * instances that compute at the same time (data-parallel workers each get their share).
   * Absent: all of them. A backend that computes on one thread, or on a GPU, ignores it.
   */
  readonly threads?: number
}

export interface BackendPlugin {
  readonly name: string
  readonly description: string
  /** Whether this backend can run here, and why not when it cannot. */
  readonly probe: () => Promise<{ readonly available: true } | { readonly available: false; readonly reason: string }>
  /** Prepares tfjs (registers and selects the backend). */
  readonly setup: (options?: BackendSetup) => Promise<void>
  /** What it computes on; asked once setup has run. */
  readonly device: () => Promise<DeviceInfo>
  /** What tfjs holds on it now; asked once setup has run. */
  readonly memory: () => TensorMemory
}

const setupFailed = (plugin: BackendPlugin) => (cause: unknown) => new BackendUnavailable({ source: `--backend ${plugin.name}`, detail: String(cause) })

export const backendLayer = (plugin: BackendPlugin): Layer.Layer<Backend, BackendUnavailable> =>
  Layer.effect(
    Backend,
    Effect.gen(function* () {
      const probe = yield* Effect.promise(plugin.probe)
      if (!probe.available) {
        return yield* Effect.fail(new BackendUnavailable({ source: `--backend ${plugin.name}`, detail: probe.reason }))
      }
      yield* Effect.tryPromise({ try: () => plugin.setup(), catch: setupFailed(plugin) })
      const device = yield* Effect.tryPromise({ try: plugin.device, catch: setupFailed(plugin) })
      const memory = Effect.sync((): BackendMemory => ({ ...plugin.memory(), rssBytes: process.memoryUsage.rss() }))
      return { name: plugin.name, device, memory }
    }),
  )
