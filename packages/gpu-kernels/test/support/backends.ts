// The backends each kernel test runs on: cpu, where every op takes its composed tfjs ops, and
// webgpu (Dawn, on lavapipe where there is no GPU), where it runs its WGSL kernel. webgpu is
// skipped, with the reason printed, when Dawn finds no adapter.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import type { BackendPlugin } from "@peftlab/core"
import { beforeAll, describe, expect, vi } from "vitest"

const probe = await webgpu.probe()
if (!probe.available) console.warn(`skipping the webgpu kernel checks: ${probe.reason}`)

export interface TestBackend {
  readonly name: string
  readonly plugin: BackendPlugin
  readonly unavailable: boolean
  /** Whether ops take their WGSL kernels here. */
  readonly runsKernels: boolean
}

export const backends: ReadonlyArray<TestBackend> = [
  { name: "cpu", plugin: cpu, unavailable: false, runsKernels: false },
  { name: "webgpu", plugin: webgpu, unavailable: !probe.available, runsKernels: true },
]

/** One describe per backend, `${title} on ${name}`, set up before its tests and skipped where unavailable. */
export const describeOnBackends = (title: string, body: (backend: TestBackend) => void): void => {
  for (const backend of backends) {
    describe.skipIf(backend.unavailable)(`${title} on ${backend.name}`, () => {
      beforeAll(() => backend.plugin.setup())
      body(backend)
    })
  }
}

/** Runs `use`, then checks whether the registered webgpu kernel `kernelName` ran during it. */
export const expectKernelRun = async <A>(kernelName: string, expected: boolean, use: () => Promise<A>): Promise<A> => {
  const spy = vi.spyOn(tf.getKernel(kernelName, "webgpu"), "kernelFunc")
  try {
    const result = await use()
    expect(spy.mock.calls.length > 0).toBe(expected)
    return result
  } finally {
    spy.mockRestore()
  }
}

/** Runs `use` and checks that it leaves no tensor behind. */
export const expectNoLeak = async (use: () => Promise<void>): Promise<void> => {
  const before = tf.memory().numTensors
  await use()
  expect(tf.memory().numTensors).toBe(before)
}
