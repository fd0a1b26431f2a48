// One layer of a stack (decoder or encoder) in a forward pass, run directly or, with gradient
// checkpointing on and no generation cache, checkpointed (see checkpoint.ts). The tensors this
// pass made that the layer reads (hidden states, attention bias, positions, a prefix's keys and
// values) go in explicitly, so the recomputation has them; so do the modules in the model now
// (an adapter's, during this forward call), resolved before the layer runs.
import type * as tf from "@tensorflow/tfjs"
import type { KeyValue } from "../model.ts"
import { checkpointed } from "./checkpoint.ts"
import type { KeyValueCache } from "./key-value-cache.ts"
import type { Linear } from "./linear.ts"
import { pastJoiner } from "./past.ts"

/** The layer: its input, the pass's tensors it reads, how to join past keys and values to its own, and its modules. */
export type StackLayer<C> = (h: tf.Tensor3D, tensors: C, joinPast: (current: KeyValue) => KeyValue, module: (name: string) => Linear) => tf.Tensor3D

export interface LayerPass {
  readonly layer: number
  /** The layer's module names start with this and a dot. */
  readonly prefix: string
  readonly checkpointing: boolean
  readonly linears: ReadonlyMap<string, Linear>
  readonly module: (name: string) => Linear
  readonly past: { readonly prefix: ReadonlyArray<KeyValue> | undefined; readonly cache: KeyValueCache | undefined }
}

/** `run` on layer `pass.layer` of the stack, with `tensors` (the pass's tensors it reads, by name). */
export const runLayer = <C extends Readonly<Record<string, tf.Tensor>>>(run: StackLayer<C>, h: tf.Tensor3D, tensors: C, pass: LayerPass): tf.Tensor3D => {
  const { layer, prefix, linears, module, past } = pass
  if (!pass.checkpointing || past.cache !== undefined) return run(h, tensors, pastJoiner(layer, past.prefix, past.cache), module)
  const modules = new Map([...linears].filter(([name]) => name.startsWith(`${prefix}.`)))
  const names = Object.keys(tensors)
  const layerPast = past.prefix?.[layer]
  const inputs = [h, ...names.map((name) => tensors[name] as tf.Tensor), ...(layerPast ? [layerPast.key, layerPast.value] : [])]
  return checkpointed((x, ...rest) => {
    const given = Object.fromEntries(names.map((name, i) => [name, rest[i]])) as unknown as C
    const kv = rest.slice(names.length)
    const joinPast = pastJoiner(0, kv.length > 0 ? [{ key: kv[0] as tf.Tensor4D, value: kv[1] as tf.Tensor4D }] : undefined, undefined)
    return run(x as tf.Tensor3D, given, joinPast, (name) => modules.get(name) ?? module(name))
  }, inputs)
}
