// The Falcon goldens' inputs, shared by the test (falcon.test.ts) and the generator that asks
// transformers for their logits (tools/goldens/falcon.ts): tiny random checkpoints of each of
// Falcon's three forms, written by peftlab from a seed, and the batches they run.
export interface GoldenCase {
  readonly name: string
  readonly config: Readonly<Record<string, unknown>>
  readonly seed: number
  readonly ids: ReadonlyArray<ReadonlyArray<number>>
  /** 1 = real token; the second row is left-padded, so positions count from the mask. */
  readonly mask: ReadonlyArray<ReadonlyArray<number>>
  /** The last this many positions of each row are kept in the fixture. */
  readonly keep: number
}

const tiny = { model_type: "falcon", vocab_size: 64, num_hidden_layers: 2, max_position_embeddings: 512, bos_token_id: 1, eos_token_id: 2 }

const shortIds = [
  [5, 9, 12, 40, 7, 33, 21],
  [0, 0, 3, 22, 17, 8, 60],
]
const shortMask = shortIds.map((row, b) => row.map((_, t) => (b === 1 && t < 2 ? 0 : 1)))

// 300 positions: past 256, where bfloat16 no longer holds every integer, so ALiBi's rounding shows.
const longIds = [Array.from({ length: 300 }, (_, t) => (t * 37 + 11) % 64)]

export const falconCases: ReadonlyArray<GoldenCase> = [
  {
    // Falcon-RW-1B's form, with 6 heads so the slopes take the second (odd powers) sequence too.
    name: "rw: alibi, multi-head, sequential, biases, tied",
    config: { ...tiny, hidden_size: 24, num_attention_heads: 6, alibi: true, multi_query: false, parallel_attn: false, new_decoder_architecture: false, bias: true },
    seed: 11,
    ids: shortIds,
    mask: shortMask,
    keep: 5,
  },
  {
    name: "rw at 300 positions",
    config: { ...tiny, hidden_size: 24, num_attention_heads: 6, alibi: true, multi_query: false, parallel_attn: false, new_decoder_architecture: false, bias: true },
    seed: 12,
    ids: longIds,
    mask: [longIds[0]!.map(() => 1)],
    keep: 3,
  },
  {
    // Falcon-7B's form.
    name: "7b: rotary, multi-query, parallel, untied",
    config: { ...tiny, hidden_size: 32, num_attention_heads: 4, alibi: false, multi_query: true, parallel_attn: true, new_decoder_architecture: false, bias: false, tie_word_embeddings: false },
    seed: 13,
    ids: shortIds,
    mask: shortMask,
    keep: 5,
  },
  {
    // Falcon-40B/180B's new decoder architecture.
    name: "new architecture: rotary, grouped key/value heads, two LayerNorms",
    config: { ...tiny, hidden_size: 32, num_attention_heads: 4, num_kv_heads: 2, alibi: false, new_decoder_architecture: true, parallel_attn: true, bias: false, rope_theta: 500000, ffn_hidden_size: 48 },
    seed: 14,
    ids: shortIds,
    mask: shortMask,
    keep: 5,
  },
]

/** The fixture: per case, each row's logits at its last `keep` positions, as transformers computed them. */
export interface FalconGoldens {
  readonly transformers: string
  readonly torch: string
  readonly cases: ReadonlyArray<{ readonly name: string; readonly logits: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>> }>
}

/** Each row's last `keep` positions of logits [batch][time][vocab]. */
export const keptPositions = (logits: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>, keep: number): Array<Array<Array<number>>> =>
  logits.map((row) => row.slice(row.length - keep).map((values) => [...values]))
