import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { plugin } from "@peftlab/backend-cpu"
import { trainableParameterCount } from "@peftlab/adapters-base"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { Rng } from "@peftlab/core"
import { loadCausalLM } from "@peftlab/models"
import { loadTokenizer } from "@peftlab/tokenizers"

await plugin.setup()
const path = `${process.env.PEFTLAB_MODELS}/stories260k`
const model = await Effect.runPromise(loadCausalLM(path))
const tokenizer = await Effect.runPromise(loadTokenizer(path))
const initText = "Answer the medical question with yes or no."
const adapter = createPromptTuning(
  model,
  { numVirtualTokens: 8, init: "text", initIds: tokenizer.continuationIds(initText), initText, baseModelNameOrPath: path },
  Rng.seeded(42), // used by init: "random"
)
const ids = tf.tensor2d([[1, 403, 407, 261]], undefined, "int32")
const mask = tf.onesLike(ids) as tf.Tensor2D
const logits = tf.tidy(() => adapter.logits(model, ids, mask)) // the virtual positions are dropped
console.log(logits.shape, trainableParameterCount(adapter)) // [1, 4, 512] 512 (8 x hidden 64)
console.log(adapter.peftConfig().prompt_tuning_init, [...adapter.peftTensors().keys()]) // TEXT ["prompt_embeddings"]
tf.dispose([ids, mask, logits])
adapter.dispose()
model.dispose()
