// What the rest of peftlab sees of any base model, whatever its architecture: one of three kinds
// (decoder-only, encoder-decoder, encoder-only), each with what model.ts says they all share.
import type { CausalLM } from "./causal-lm.ts"
import type { EncoderModel } from "./encoder-model.ts"
import type { Seq2SeqLM } from "./seq2seq-lm.ts"

export type BaseModel = CausalLM | Seq2SeqLM | EncoderModel
