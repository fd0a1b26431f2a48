// peftlab's side of a model golden: the same outputs transformers gives in the fixture, computed by
// loading the case's checkpoint and running peftlab's own paths: the forward pass, greedy
// generation with the key/value cache, and the training losses (nextTokenLosses for causal LMs,
// headTargetLogProbs for T5, as the adapters' runs take them).
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import {
  generateCausal,
  generateSeq2Seq,
  headTargetLogProbs,
  loadCausalLM,
  loadEncoder,
  loadSeq2SeqLM,
  nextTokenLosses,
  type Linear,
} from "../../src/index.ts"
import { keptOutputs, type CaseOutputs, type CausalCase, type EncoderCase, type GoldenCase, type Seq2SeqCase } from "./cases.ts"

type Rows = ReadonlyArray<ReadonlyArray<number>>
const ints = (rows: Rows) => tf.tensor2d(rows.map((row) => [...row]), undefined, "int32")

/** The mean of per-token losses [batch, T] over the positions where `labels` [batch, T] is not -100, as transformers' mean cross-entropy. */
const meanLabelled = async (losses: tf.Tensor2D, labels: Rows): Promise<number> => {
  const values = (await losses.array()) as number[][]
  losses.dispose()
  const kept = values.flatMap((row, b) => row.filter((_, t) => labels[b]![t] !== -100))
  return kept.reduce((a, b) => a + b, 0) / kept.length
}

/** Labels with -100 (no loss) replaced by `pad`, as transformers feeds them to the decoder. */
const padLabels = (labels: Rows, pad: number): Rows => labels.map((row) => row.map((id) => (id === -100 ? pad : id)))

const head = (linears: ReadonlyMap<string, Linear>): Linear => {
  const lmHead = linears.get("lm_head")
  if (!lmHead) throw new Error("the model has no lm_head module")
  return lmHead
}

const causal = async (golden: CausalCase, dir: string): Promise<CaseOutputs> => {
  const model = await Effect.runPromise(loadCausalLM(dir))
  try {
    const forward = (hiddenStates: boolean) => tf.tidy(() => model.forward({ embeds: model.embed(ints(golden.ids)), attentionMask: ints(golden.mask), hiddenStates }))
    const logitsTensor = forward(false)
    const logits = (await logitsTensor.array()) as number[][][]
    logitsTensor.dispose()
    const loss = golden.labels && (await meanLabelled(tf.tidy(() => nextTokenLosses(head(model.linears), forward(true), ints(golden.ids))), golden.labels.map((row) => row.slice(1))))
    if (golden.generate === undefined) return { logits, loss }
    const [embeds, mask] = tf.tidy(() => [model.embed(ints(golden.ids)), ints(golden.mask)] as const)
    const generated = await generateCausal(model, { embeds, attentionMask: mask }, { maxNewTokens: golden.generate, eosTokenIds: [] })
    tf.dispose([embeds, mask])
    return { logits, loss, generated }
  } finally {
    model.dispose()
  }
}

const seq2seq = async (golden: Seq2SeqCase, dir: string): Promise<CaseOutputs> => {
  const model = await Effect.runPromise(loadSeq2SeqLM(dir))
  try {
    const [embeds, mask] = tf.tidy(() => [model.embed(ints(golden.ids)), ints(golden.mask)] as const)
    const encoderHidden = model.encode({ embeds, attentionMask: mask })
    const decode = (decoderIds: Rows, hiddenStates: boolean) => tf.tidy(() => model.decode({ embeds: model.embed(ints(decoderIds)), encoderHidden, encoderMask: mask, hiddenStates }))
    const [hiddenTensor, logitsTensor] = [encoderHidden.clone(), decode(golden.decoderIds, false)]
    const [hidden, logits] = [(await hiddenTensor.array()) as number[][][], (await logitsTensor.array()) as number[][][]]
    tf.dispose([hiddenTensor, logitsTensor])
    const pad = model.decoderStartTokenId
    const loss =
      golden.labels &&
      (await meanLabelled(
        tf.tidy(() => {
          const targets = padLabels(golden.labels!, pad)
          const decoderIds = targets.map((row) => [pad, ...row.slice(0, -1)])
          return headTargetLogProbs(head(model.linears), decode(decoderIds, true), ints(targets)).neg() as tf.Tensor2D
        }),
        golden.labels,
      ))
    const generated = golden.generate === undefined ? undefined : await generateSeq2Seq(model, { embeds, attentionMask: mask }, { maxNewTokens: golden.generate, eosTokenIds: [] })
    tf.dispose([embeds, mask, encoderHidden])
    return { hidden, logits, loss, generated }
  } finally {
    model.dispose()
  }
}

const encoder = async (golden: EncoderCase, dir: string): Promise<CaseOutputs> => {
  const model = await Effect.runPromise(loadEncoder(dir))
  try {
    const [hiddenTensor, pooledTensor] = tf.tidy(() => {
      const hidden = model.encode({ embeds: model.embed(ints(golden.ids)), attentionMask: ints(golden.mask), tokenTypeIds: golden.tokenTypeIds && ints(golden.tokenTypeIds) })
      return [hidden, model.hasPooler ? model.pool(hidden) : undefined] as const
    })
    const hidden = (await hiddenTensor.array()) as number[][][]
    const pooled = pooledTensor && ((await pooledTensor.array()) as number[][])
    tf.dispose([hiddenTensor, ...(pooledTensor ? [pooledTensor] : [])])
    return { hidden, pooled }
  } finally {
    model.dispose()
  }
}

/** What peftlab computes for `golden` on its checkpoint in `dir`, trimmed as the fixture is. */
export const peftlabOutputs = async (golden: GoldenCase, dir: string): Promise<CaseOutputs> => {
  const whole = golden.kind === "causal" ? await causal(golden, dir) : golden.kind === "seq2seq" ? await seq2seq(golden, dir) : await encoder(golden, dir)
  return keptOutputs(golden, whole)
}
