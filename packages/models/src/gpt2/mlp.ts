// GPT-2's feed-forward block: c_proj(gelu_new(c_fc(x))).
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "../layers/linear.ts"
import { geluNew } from "./gelu-new.ts"

export interface MlpModules {
  readonly cFc: Linear
  readonly cProj: Linear
}

export const mlp = (x: tf.Tensor3D, { cFc, cProj }: MlpModules): tf.Tensor3D => tf.tidy(() => cProj.apply(geluNew(cFc.apply(x))) as tf.Tensor3D)
