// T5's golden cases (HF T5ForConditionalGeneration): the original T5 (relu, tied head, whose
// decoder output is scaled by d_model^-0.5) and T5 v1.1 / FLAN-T5 (gated-gelu, untied head), with
// more decoder than encoder layers and few relative-position buckets, so the batch reaches the
// logarithmic buckets and the last one. The source's second row is right-padded; the fixture
// keeps every position.
import { gatedJson, reluJson } from "../tiny-t5.ts"
import type { GoldenCase } from "./cases.ts"

// 12 source positions: relative distances up to 11, past both configs' max distance.
const source = {
  ids: [
    [5, 9, 12, 40, 7, 33, 21, 50, 18, 2, 44, 1],
    [3, 22, 17, 8, 61, 1, 0, 0, 0, 0, 0, 0],
  ],
  mask: [
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
  ],
}
// Targets of 8 (the decoder's distances reach the relu config's max distance 7), the decoder's
// input (the targets shifted right after the start id 0) and labels that leave out the second
// row's padding.
const targets = [
  [14, 6, 30, 9, 52, 3, 19, 1],
  [27, 11, 45, 1, 0, 0, 0, 0],
]
const decoder = {
  decoderIds: targets.map((row) => [0, ...row.slice(0, -1)]),
  labels: targets.map((row, b) => row.map((id, t) => (b === 1 && t > 3 ? -100 : id))),
  generate: 4,
}

// The t5 tests' configs (tiny-t5.ts), with room for the batch's ids and the original T5's ids set
// as its configs have them (<pad> 0, also the decoder's start; </s> 1).
const gated = { ...gatedJson, vocab_size: 64 }
const relu = { ...reluJson, vocab_size: 64, pad_token_id: 0, eos_token_id: 1, decoder_start_token_id: 0 }

export const t5Cases: ReadonlyArray<GoldenCase> = [
  { kind: "seq2seq", name: "t5 v1.0: relu, tied head", config: relu, seed: 61, ...source, ...decoder },
  { kind: "seq2seq", name: "t5 v1.1 / flan: gated-gelu, untied head, 3 decoder layers", config: gated, seed: 62, ...source, ...decoder },
]
