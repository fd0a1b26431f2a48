// The benchmark's replica module (see @peftlab/trainer's data-parallel): each worker loads the
// random Llama checkpoint on its own backend (as the case says: host-held bf16, NF4), puts the adapter on it, and trains or scores its
// shard of token batches. Loss: the mean next-token loss of every position, as torch_reference.py.
import * as tf from "@tensorflow/tfjs"
import { causalLogits, causalNextTokenLosses } from "@peftlab/adapters-base"
import { loadCausalLM, type Placement } from "@peftlab/models"
import type { Replica, ReplicaContext } from "@peftlab/trainer"
import { Effect } from "effect"
import { setUpBackend } from "./backends.ts"
import { createAdapter, totalOf, type Method, type TokenBatch } from "./workload.ts"

export interface ReplicaInit {
  readonly checkpoint: string
  readonly method: Method
  readonly backend: string
  /** Where the base's weights live (host-held bf16, NF4 while loading, over the main thread's shared matrices); float32 tensors by default. */
  readonly load?: Placement
  readonly gradientCheckpointing?: boolean
}

const tensorsOf = (batch: TokenBatch) => {
  const ids = tf.tensor2d(batch.ids, [batch.rows, batch.seq], "int32")
  return { ids, mask: tf.onesLike(ids) }
}

export default async (init: unknown, { threads }: ReplicaContext): Promise<Replica<TokenBatch>> => {
  const { checkpoint, method, backend, load, gradientCheckpointing } = init as ReplicaInit
  await setUpBackend(backend, { threads })
  const model = await Effect.runPromise(loadCausalLM(checkpoint, load))
  if (gradientCheckpointing) model.gradientCheckpointing!.enabled = true
  const adapter = createAdapter(model, method)
  return {
    variables: adapter.trainable,
    loss: (batch) =>
      tf.tidy(() => {
        const { ids, mask } = tensorsOf(batch)
        return causalNextTokenLosses(model, adapter, ids, mask).mean() as tf.Scalar
      }),
    weight: (batch) => batch.rows * (batch.seq - 1),
    // Scoring as torch_reference.py's forward mode: every position's logits, summed.
    evaluate: (batch) =>
      totalOf(
        tf.tidy(() => {
          const { ids, mask } = tensorsOf(batch)
          return causalLogits(model, adapter, ids, mask).sum()
        }),
      ),
    dispose: () => {
      adapter.dispose()
      model.dispose()
    },
  }
}
