// Every pass starts here: what the adapter adds to it, and which model runs it (the adapter's
// own trainable copy of the base when it brings one, for full fine-tuning; else the caller's).
import type { BaseModel } from "@peftlab/models"
import type { Adapter, Injection } from "../adapter.ts"

export interface InjectedPass<M extends BaseModel> {
  readonly injection: Injection
  /** The model the pass runs on: embeddings, forward, linear swaps and generation caches all use it. */
  readonly model: M
}

export const injectInto = <M extends BaseModel>(model: M, adapter: Adapter, batch: number): InjectedPass<M> => {
  const injection = adapter.inject(model, batch)
  const base = injection.base
  if (base === undefined) return { injection, model }
  if (base.kind !== model.kind) throw new TypeError(`the adapter's base is a ${base.kind} model, but the pass is over a ${model.kind} model`)
  return { injection, model: base as M }
}
