// Initial values of LoRA's A matrix, drawn as PEFT's reset_lora_parameters does:
// nn.init.kaiming_uniform_(A, a=sqrt(5)). With gain sqrt(2 / (1 + a^2)) = sqrt(1/3), the
// bound sqrt(3) * gain / sqrt(fan_in) simplifies to 1 / sqrt(fan_in); A is [r, in], so fan_in = in.
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"

export const kaimingUniformBound = (fanIn: number): number => 1 / Math.sqrt(fanIn)

export const initialLoraA = (r: number, inFeatures: number, rng: Rng): tf.Tensor2D => {
  const bound = kaimingUniformBound(inFeatures)
  const values = Float32Array.from({ length: r * inFeatures }, () => (2 * rng.next() - 1) * bound)
  return tf.tensor2d(values, [r, inFeatures])
}
