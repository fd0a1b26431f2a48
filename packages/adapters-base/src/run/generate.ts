// Greedy generation with an adapter applied throughout (PEFT's generate): the prompt gets the
// adapter's virtual tokens and prefixes once, and its LoRA modules stay in place for every step.
import * as tf from "@tensorflow/tfjs"
import { generateCausal, generateSeq2Seq, type CausalLM, type GreedyOptions, type Seq2SeqLM, type Seq2SeqPrefix } from "@peftlab/models"
import type { Adapter, Injection } from "../adapter.ts"
import { injectInto } from "./inject-into.ts"
import { prependVirtualTokens } from "./virtual-tokens.ts"
import { withLinearsAsync } from "./with-linears.ts"

const keepPrefix = (prefix: Seq2SeqPrefix | undefined): Seq2SeqPrefix | undefined => {
  if (!prefix) return undefined
  const keep = (stack: Seq2SeqPrefix["decoder"]) => stack?.map((kv) => ({ key: tf.keep(kv.key), value: tf.keep(kv.value) }))
  return { encoder: keep(prefix.encoder), decoder: keep(prefix.decoder), cross: keep(prefix.cross) }
}

const prefixTensors = (prefix: Seq2SeqPrefix | undefined): tf.Tensor[] =>
  [prefix?.encoder, prefix?.decoder, prefix?.cross].flatMap((stack) => (stack ?? []).flatMap((kv) => [kv.key, kv.value]))

/**
 * The generated ids of each row, up to (not including) its end-of-sequence id. A decoder-only
 * model's prompts must be left-padded; an encoder-decoder's may be padded on either side.
 */
export const generateWith = async (
  model: CausalLM | Seq2SeqLM,
  adapter: Adapter,
  ids: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  options: GreedyOptions,
): Promise<number[][]> => {
  let linears: Injection["linears"]
  let prefix: Seq2SeqPrefix | undefined
  let runner = model
  const prompt = tf.tidy(() => {
    const pass = injectInto(model, adapter, ids.shape[0])
    runner = pass.model
    linears = pass.injection.linears
    prefix = keepPrefix(pass.injection.prefix)
    const input = prependVirtualTokens(runner.embed(ids), attentionMask, pass.injection.virtualTokens)
    return { embeds: input.embeds, attentionMask: input.attentionMask }
  })
  // Shared keys and values appear in several stacks (an encoder-decoder's), so free each once;
  // without virtual tokens the mask is still the caller's, theirs to free.
  const owned = [...new Set([prompt.embeds, prompt.attentionMask, ...prefixTensors(prefix)])].filter((t) => t !== attentionMask)
  try {
    return await withLinearsAsync(runner, linears, () =>
      runner.kind === "causal"
        ? generateCausal(runner, { ...prompt, prefix: prefix?.decoder }, options)
        : generateSeq2Seq(runner, { ...prompt, prefix }, options),
    )
  } finally {
    tf.dispose(owned)
  }
}
