// Checking webgpu against cpu: a computation run on both backends, the kernels webgpu ran (to
// tell a WGSL kernel from tfjs's own), and the largest differences. For tests of kernels and of
// whatever dispatches to them, here and in other packages.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as webgpu } from "./index.ts"

export interface Parity {
  readonly reference: Array<Float32Array>
  readonly got: Array<Float32Array>
  /** The kernels webgpu ran (tf.profile's kernelNames). */
  readonly kernels: Array<string>
}

/** `run` on cpu, then on webgpu under tf.profile; `run` reads its results to the host itself. */
export const onCpuThenWebgpu = async (run: () => Promise<Array<Float32Array>>): Promise<Parity> => {
  await cpu.setup()
  const reference = await run()
  await webgpu.setup()
  const profile = await tf.profile(run)
  return { reference, got: profile.result as unknown as Array<Float32Array>, kernels: profile.kernelNames }
}

/** max |a - b| per pair of arrays; NaN where the two have different lengths. */
export const maxAbsDiffs = (a: ReadonlyArray<Float32Array>, b: ReadonlyArray<Float32Array>): Array<number> =>
  a.map((values, i) => (values.length !== b[i]?.length ? Number.NaN : values.reduce((max, v, j) => Math.max(max, Math.abs(v - (b[i]![j] as number))), 0)))
