// A model's parameters by HF name: float32 tensors on the backend, or (for the weight matrices
// of a base loaded with weights "host") frozen matrices held on the host in their stored
// precision, or (weights "device") device matrices in their stored precision or NF4. What every
// architecture's build, count and dispose share.
import type * as tf from "@tensorflow/tfjs"
import { isDeviceMatrix, type DeviceMatrix } from "./device/device-matrix.ts"
import { matrixHostValues } from "./device/device-values.ts"
import { isFrozenMatrix, widen, type FrozenMatrix } from "./frozen/frozen-matrix.ts"

export type Parameter = tf.Tensor | FrozenMatrix | DeviceMatrix

export type Parameters = ReadonlyMap<string, Parameter>

/** Sum of the sizes of a model's frozen parameters. */
export const countParameters = (parameters: Parameters): number => [...parameters.values()].reduce((sum, t) => sum + t.size, 0)

/** A parameter's float32 values, row-major (a host-held matrix widened, a device-held one read a block of rows at a time). */
export const parameterValues = async (parameter: Parameter): Promise<Float32Array> => {
  if (isFrozenMatrix(parameter)) return widen(parameter)
  if (!isDeviceMatrix(parameter)) return (await parameter.data()) as Float32Array
  return matrixHostValues(parameter)
}

/** Frees the tensors and device matrices; host-held matrices go with their last reference. */
export const disposeParameters = (parameters: Parameters): void => {
  for (const parameter of parameters.values()) if (!isFrozenMatrix(parameter)) parameter.dispose()
}
