// The large encoder-decoder cases' replica module (see @peftlab/trainer's data-parallel): each
// worker loads the random FLAN-T5-shaped checkpoint with its weights held on the host as stored,
// puts the adapter on it, and trains or scores its shard. A row of the token batch is the
// source; its first `targetLength` ids are the target (a short answer, as PubMedQA's), the
// decoder reading them shifted right. Loss: the mean target-token negative log-likelihood.
import * as tf from "@tensorflow/tfjs"
import { seq2seqLogits } from "@peftlab/adapters-base"
import { loadSeq2SeqLM, shiftTargetsRight, targetLogProbs } from "@peftlab/models"
import type { Replica, ReplicaContext } from "@peftlab/trainer"
import { Effect } from "effect"
import { setUpBackend } from "../llama/backends.ts"
import type { ReplicaInit } from "../llama/replica.ts"
import { createAdapter, totalOf, type TokenBatch } from "../llama/workload.ts"

export const targetLength = 8

export default async (init: unknown, { threads }: ReplicaContext): Promise<Replica<TokenBatch>> => {
  const { checkpoint, method, backend, load } = init as ReplicaInit
  await setUpBackend(backend, { threads })
  const model = await Effect.runPromise(loadSeq2SeqLM(checkpoint, load))
  const adapter = createAdapter(model, method)
  const logitsOf = (batch: TokenBatch) => {
    const ids = tf.tensor2d(batch.ids, [batch.rows, batch.seq], "int32")
    const targets = ids.slice([0, 0], [batch.rows, targetLength]) as tf.Tensor2D
    const logits = seq2seqLogits(model, adapter, { ids, attentionMask: tf.onesLike(ids), decoderIds: shiftTargetsRight(targets, model.decoderStartTokenId) })
    return { logits, targets }
  }
  return {
    variables: adapter.trainable,
    loss: (batch) =>
      tf.tidy(() => {
        const { logits, targets } = logitsOf(batch)
        return targetLogProbs(logits, targets).mean().neg() as tf.Scalar
      }),
    weight: (batch) => batch.rows * targetLength,
    evaluate: (batch) => totalOf(tf.tidy(() => logitsOf(batch).logits.sum())),
    dispose: () => {
      adapter.dispose()
      model.dispose()
    },
  }
}
