// What an architecture builds its linear modules with: a float32 tensor on the backend gets the
// module of layers/linear.ts, a host-held frozen matrix (a bf16, f16 or NF4 base) the one of
// frozen/frozen-linear.ts, a device-held one (webgpu: stored precision or NF4, in row tiles) the
// one of device/device-linear.ts, and a tf.Variable (a trainable copy's, for full fine-tuning) the
// one of layers/trainable-linear.ts; the architecture need not know which the loader made.
import * as tf from "@tensorflow/tfjs"
import { isDeviceMatrix, type DeviceMatrix } from "../device/device-matrix.ts"
import { deviceLinear } from "../device/device-linear.ts"
import { frozenLinear } from "../frozen/frozen-linear.ts"
import { isFrozenMatrix, type FrozenMatrix } from "../frozen/frozen-matrix.ts"
import type { Nf4Matrix } from "../frozen/nf4-matrix.ts"
import { nf4HostLinear } from "../quantization/nf4-linear.ts"
import { conv1d, linear, type Linear } from "./linear.ts"
import { trainableConv1d, trainableLinear } from "./trainable-linear.ts"

/** A rank-2 parameter either way the loader keeps it. */
export type Matrix = tf.Tensor2D | FrozenMatrix | DeviceMatrix

const isNf4Matrix = (matrix: FrozenMatrix): matrix is Nf4Matrix => matrix.storage === "NF4"

/** A module over nn.Linear's weight [out, in]. */
export const linearModule = (name: string, weight: Matrix, bias?: tf.Tensor1D): Linear => {
  if (isDeviceMatrix(weight)) return deviceLinear(name, weight, bias)
  if (weight instanceof tf.Variable) return trainableLinear(name, weight, bias)
  if (!isFrozenMatrix(weight)) return linear(name, weight, bias)
  return isNf4Matrix(weight) ? nf4HostLinear(name, weight, bias) : frozenLinear(name, weight, bias)
}

/** A module over a weight stored [in, out] (GPT-2's Conv1D); an NF4 matrix is [out, in] whatever the checkpoint's layout (see load-parameters.ts). */
export const conv1dModule = (name: string, stored: Matrix, bias?: tf.Tensor1D): Linear => {
  if (isDeviceMatrix(stored)) return deviceLinear(name, stored, bias, stored.storage !== "NF4")
  if (stored instanceof tf.Variable) return trainableConv1d(name, stored, bias)
  if (!isFrozenMatrix(stored)) return conv1d(name, stored, bias)
  return isNf4Matrix(stored) ? nf4HostLinear(name, stored, bias) : frozenLinear(name, stored, bias, true)
}
