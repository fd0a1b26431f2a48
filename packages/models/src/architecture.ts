// One entry per supported architecture, keyed by config.json's model_type: how to decode its
// config, which tensors its checkpoint must hold, and how to build the model from them.
// Loading (load.ts) and random checkpoints (random/) are written once against this.
import type { Result } from "effect"
import type { BaseModel } from "./base-model.ts"
import type { Parameters } from "./parameters.ts"

export interface Architecture<Config = unknown, Model extends BaseModel = BaseModel> {
  /** config.json model_type values this entry reads. */
  readonly modelTypes: ReadonlyArray<string>
  /** The decoded config, or a description of what is wrong, naming the field. */
  decodeConfig(json: unknown): Result.Result<Config, string>
  /** Every tensor the model needs, by HF name, with its shape. */
  parameterShapes(config: Config): ReadonlyMap<string, ReadonlyArray<number>>
  /**
   * The name a checkpoint tensor goes by in parameterShapes, for checkpoints that store it under
   * another (e.g. BERT's "bert." prefix); undefined for tensors the model does not use.
   */
  canonicalName?(name: string): string | undefined
  /** Tensors of parameterShapes a checkpoint may lack (e.g. BERT's pooler); build then gets no entry for them. */
  isOptional?(name: string): boolean
  /** How a random checkpoint fills a tensor: a norm gain near 1, a small bias, or a weight of this std. */
  randomInit?(name: string, shape: ReadonlyArray<number>): "gain" | "bias" | number
  /** The [vocab, hidden] token embedding: held on the host like the linear weights when the loader keeps weights there, but never quantized. */
  readonly tokenEmbeddingName: string
  /** Rank-2 tensors the forward pass reads as tensors (position and type tables, T5's relative-position table): always float32 on the backend. */
  isBackendTable?(name: string): boolean
  /** Linear weights stored [in, out] (GPT-2's Conv1D): quantizing transposes them first, as bitsandbytes quantizes nn.Linear's [out, in]. */
  isStoredTransposed?(name: string): boolean
  build(config: Config, parameters: Parameters): Model
}
