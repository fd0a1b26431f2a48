// GPT-2's activation, transformers' "gelu_new": the tanh approximation of GELU,
// 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))). (x² x rather than pow: no backend sees a negative base.)
import * as tf from "@tensorflow/tfjs"

const sqrtTwoOverPi = Math.sqrt(2 / Math.PI)

export const geluNew = <T extends tf.Tensor>(x: T): T =>
  tf.tidy(() => x.mul(0.5).mul(tf.tanh(x.add(x.square().mul(x).mul(0.044715)).mul(sqrtTwoOverPi)).add(1)) as T)
