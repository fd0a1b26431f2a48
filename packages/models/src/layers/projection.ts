// What an architecture builds its linear modules with: a float32 tensor on the backend gets the
// module of layers/linear.ts, a host-held frozen matrix (a bf16, f16 or NF4 base) the one of
// frozen/frozen-linear.ts; the architecture need not know which the loader made.
import type * as tf from "@tensorflow/tfjs"
import { frozenLinear } from "../frozen/frozen-linear.ts"
import { isFrozenMatrix, type FrozenMatrix } from "../frozen/frozen-matrix.ts"
import type { Nf4Matrix } from "../frozen/nf4-matrix.ts"
import { nf4HostLinear } from "../quantization/nf4-linear.ts"
import { conv1d, linear, type Linear } from "./linear.ts"

/** A rank-2 parameter either way the loader keeps it. */
export type Matrix = tf.Tensor2D | FrozenMatrix

const isNf4Matrix = (matrix: FrozenMatrix): matrix is Nf4Matrix => matrix.storage === "NF4"

/** A module over nn.Linear's weight [out, in]. */
export const linearModule = (name: string, weight: Matrix, bias?: tf.Tensor1D): Linear => {
  if (!isFrozenMatrix(weight)) return linear(name, weight, bias)
  return isNf4Matrix(weight) ? nf4HostLinear(name, weight, bias) : frozenLinear(name, weight, bias)
}

/** A module over a weight stored [in, out] (GPT-2's Conv1D); an NF4 matrix is [out, in] whatever the checkpoint's layout (see load-parameters.ts). */
export const conv1dModule = (name: string, stored: Matrix, bias?: tf.Tensor1D): Linear => {
  if (!isFrozenMatrix(stored)) return conv1d(name, stored, bias)
  return isNf4Matrix(stored) ? nf4HostLinear(name, stored, bias) : frozenLinear(name, stored, bias, true)
}
