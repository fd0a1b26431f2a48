import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { plugin } from "@peftlab/backend-cpu"
import { loadCausalLM } from "@peftlab/models"
import { disposeSnapshot, frozenBase, restoreSnapshot, takeSnapshot, trainableParameterCount } from "@peftlab/adapters-base"

await plugin.setup()
const model = await Effect.runPromise(loadCausalLM(`${process.env.PEFTLAB_MODELS}/stories260k`))
const base = frozenBase() // the "base" arm: the model as it is
const ids = tf.tensor2d([[1, 403, 407, 261]], undefined, "int32")
const mask = tf.onesLike(ids) as tf.Tensor2D
const logits = tf.tidy(() => base.logits(model, ids, mask))
console.log(logits.shape, trainableParameterCount(base)) // [1, 4, 512] 0

const w = tf.variable(tf.tensor1d([1, 2]))
const snapshot = takeSnapshot([w]) // e.g. the best epoch so far
tf.tidy(() => w.assign(w.mul(9)))
restoreSnapshot([w], snapshot)
disposeSnapshot(snapshot)
console.log(w.arraySync()) // [1, 2]
tf.dispose([ids, mask, logits, w])
model.dispose()
