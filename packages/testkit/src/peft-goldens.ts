// Adapter goldens against Hugging Face PEFT itself, both directions: adapters PEFT made and saved
// (committed under each adapters package's test/goldens/<case>/) and adapters peftlab makes from a
// seed and PEFT loads, each with PEFT's logits on a fixed batch (test/goldens/peft-logits.json).
// The generator (tools/goldens/adapters.ts) and the packages' tests (peft-goldens-suite.ts) share
// this file, so both build the same tiny base from its seed, run the same batch and keep the
// same positions.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { causalLogits, seq2seqLogits, type Adapter } from "@peftlab/adapters-base"
import { writeRandomCheckpoint, type BaseModel, type QuantizationKind } from "@peftlab/models"
import { tinyConfigs, type TinyArchitecture } from "./tiny-checkpoints.ts"

/** A tiny random base: one of testkit's tiny configs, changed by `overrides`, written by peftlab from `seed`. */
export interface GoldenBase {
  readonly architecture: TinyArchitecture
  readonly overrides?: Readonly<Record<string, unknown>>
  readonly seed: number
}

export interface GoldenBatch {
  readonly ids: ReadonlyArray<ReadonlyArray<number>>
  /** 1 = real token. */
  readonly mask: ReadonlyArray<ReadonlyArray<number>>
  /** An encoder-decoder's decoder input ids. */
  readonly decoderIds?: ReadonlyArray<ReadonlyArray<number>>
}

export type PeftMethod = "LORA" | "PROMPT_TUNING" | "PREFIX_TUNING" | "P_TUNING"

/** What every case has: a name, a base and a batch. */
interface GoldenCase {
  readonly name: string
  readonly base: GoldenBase
  readonly batch: GoldenBatch
  /**
   * QLoRA: PEFT runs over bitsandbytes' NF4 base (every linear module but the LM head, blocks of 64,
   * float32 absmax, no double quantization), peftlab over quantizeModelLinears' of the same layout.
   */
  readonly nf4?: boolean
  /**
   * 8-bit: PEFT runs over bitsandbytes' Linear8bitLt base (transformers' load_in_8bit, threshold 6.0,
   * every linear module but the LM head), peftlab over quantizeModelLinearsAs(model, "int8").
   */
  readonly int8?: boolean
  /**
   * Both sides in training mode, dropout 0: PEFT's model.train() (bitsandbytes' 8-bit layers then take
   * their CPU training path, MatMul8bitFp: x times the dequantized weight, a smooth function of x),
   * peftlab's adapter and quantized base switched by setTraining(true). Eval mode when absent.
   */
  readonly train?: boolean
  /**
   * Max |peftlab - PEFT| on logits where 1e-4 (peftGoldenTolerance) cannot hold: an eval-mode 8-bit
   * case. LLM.int8() casts each activation to float16 and rounds it to int8 by its row's absmax, a
   * step function, so a float32 difference of 1e-7 upstream (another summation order in a LoRA
   * branch) can flip one code and move a row by 1e-2. Every 8-bit layer given bitsandbytes' own
   * input matches it bit for bit (int8-base-goldens.test.ts), and the train-mode cases hold 1e-4.
   */
  readonly tolerance?: number
}

/** How a case's base is quantized, if it is. */
export const goldenQuantization = (golden: { readonly nf4?: boolean; readonly int8?: boolean }): QuantizationKind | undefined =>
  golden.nf4 ? "nf4" : golden.int8 ? "int8" : undefined

/** An adapter PEFT makes under torch.manual_seed(seed) from `config` (PEFT's config class's arguments) and saves. */
export interface PeftMadeCase extends GoldenCase {
  /** Also the fixture folder's name: test/goldens/<name>/. */
  readonly name: string
  readonly method: PeftMethod
  readonly config: Readonly<Record<string, unknown>>
  readonly seed: number
  /** Adds this times N(0, 1) to every trainable tensor after PEFT's init, as training would (an init that starts as the base then matters). */
  readonly perturb?: number
}

/** An adapter peftlab makes from a seed (deterministically: the test makes it again) and PEFT loads. */
export interface PeftlabMadeCase extends GoldenCase {
  readonly create: (model: BaseModel) => Adapter
}

/** The fixture: PEFT's logits per case, each row's last `keptPositions` positions, to 7 significant digits. */
export interface AdapterGoldens {
  readonly peft: string
  readonly transformers: string
  readonly torch: string
  /** The QLoRA cases' NF4 base and the int8 cases' 8-bit base are bitsandbytes'. */
  readonly bitsandbytes: string
  readonly cases: ReadonlyArray<{ readonly name: string; readonly logits: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>> }>
}

const keptPositions = 4

/** The bases the adapter kinds share: each kind of attention PEFT sizes adapters for, and T5. */
export const goldenBases = {
  /** Grouped-query attention: 6 heads over 2 key/value heads. */
  llama: { architecture: "llama", seed: 3 },
  /** Multi-head attention: as many key/value heads as heads. */
  llamaMha: { architecture: "llama", overrides: { num_key_value_heads: 6 }, seed: 7 },
  gpt2: { architecture: "gpt2", seed: 4 },
  t5: { architecture: "t5", seed: 5 },
  /** Falcon-7B's form: multi-query (one key/value head), rotary, parallel attention and MLP. */
  falconMqa: {
    architecture: "falcon",
    overrides: { hidden_size: 32, num_attention_heads: 4, alibi: false, multi_query: true, parallel_attn: true, new_decoder_architecture: false, bias: false, tie_word_embeddings: false },
    seed: 8,
  },
} as const satisfies Record<string, GoldenBase>

/** Rows of ids (0 is padding: no batch here uses it as a token) and their attention mask. */
const batchOf = (ids: ReadonlyArray<ReadonlyArray<number>>): GoldenBatch => ({ ids, mask: ids.map((row) => row.map((id) => (id === 0 ? 0 : 1))) })

/** Two rows, the second left-padded (positions then count from the mask, as generate() gives them). */
export const paddedBatch: GoldenBatch = batchOf([
  [5, 9, 12, 40, 7, 33, 21],
  [0, 0, 3, 22, 17, 8, 60],
])

/** Two unpadded rows: PEFT's prompt-tuning forward ignores position ids, so it is exact only unpadded. */
export const unpaddedBatch: GoldenBatch = batchOf([
  [5, 9, 12, 40, 7, 33, 21],
  [3, 22, 17, 8, 60, 2, 11],
])

/** An encoder-decoder batch: the second source row right-padded, as T5's inputs are. */
export const seq2seqBatch: GoldenBatch = {
  ...batchOf([
    [5, 9, 12, 40, 7, 33, 21],
    [3, 22, 17, 8, 60, 0, 0],
  ]),
  decoderIds: [
    [0, 4, 5, 6, 7],
    [0, 8, 9, 10, 11],
  ],
}

const goldenBaseConfig = (base: GoldenBase): Readonly<Record<string, unknown>> => ({ ...tinyConfigs[base.architecture], ...base.overrides })

/** The base's checkpoint, written into a new temporary folder. */
export const writeGoldenBase = async (base: GoldenBase): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), `peftlab-golden-${base.architecture}-`))
  await Effect.runPromise(Effect.asVoid(writeRandomCheckpoint(dir, goldenBaseConfig(base), base.seed)))
  return dir
}

/** The name PEFT's adapter_config.json records as base_model_name_or_path. */
export const goldenBaseName = (base: GoldenBase): string => `peftlab-tiny-${base.architecture}-seed-${base.seed}`

/** Each row's last `keptPositions` positions of logits [batch][time][vocab]. */
export const keepLast = (logits: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>): number[][][] =>
  logits.map((row) => row.slice(row.length - keptPositions).map((values) => [...values]))

/** peftlab's logits of `adapter` over `model` on `batch` (decoder logits for an encoder-decoder), last positions kept. */
export const adapterLogits = async (model: BaseModel, adapter: Adapter, batch: GoldenBatch): Promise<number[][][]> => {
  const logits = tf.tidy(() => {
    const ids = tf.tensor2d(batch.ids as number[][], undefined, "int32")
    const attentionMask = tf.tensor2d(batch.mask as number[][], undefined, "int32")
    if (model.kind === "causal") return causalLogits(model, adapter, ids, attentionMask)
    if (model.kind === "seq2seq") return seq2seqLogits(model, adapter, { ids, attentionMask, decoderIds: tf.tensor2d(batch.decoderIds as number[][], undefined, "int32") })
    throw new Error(`adapter goldens run language models, not a ${model.kind} model`)
  })
  const values = (await logits.array()) as number[][][]
  logits.dispose()
  return keepLast(values)
}

export const maxAbsDiff = (a: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>, b: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>): number =>
  Math.max(...a.flatMap((row, i) => row.flatMap((values, t) => values.map((v, k) => Math.abs(v - (b[i]?.[t]?.[k] ?? Number.NaN))))))

/** A quantized base with no adapter, against transformers' own quantized model (bitsandbytes), on a batch. */
export interface QuantizedBaseGolden {
  readonly name: string
  readonly base: GoldenBase
  readonly batch: GoldenBatch
  readonly int8: true
  /** The model in train() mode (see GoldenCase.train). */
  readonly train?: boolean
  /** Also record every 8-bit layer's input and output in bitsandbytes' forward pass (QuantizedBaseFixture.layers). */
  readonly recordLayers?: boolean
}

/** The int8 base (bitsandbytes' load_in_8bit) on the Llama golden base, the left-padded batch: in eval mode with each layer's input and output, and in train mode. */
export const quantizedBaseGoldens: ReadonlyArray<QuantizedBaseGolden> = [
  { name: "llama-int8", base: goldenBases.llama, batch: paddedBatch, int8: true, recordLayers: true },
  { name: "llama-int8-train", base: goldenBases.llama, batch: paddedBatch, int8: true, train: true },
]

/** One call of an 8-bit layer in bitsandbytes' forward pass: its HF module name, input [rows, in] and output [rows, out]. */
export interface RecordedLayer {
  readonly module: string
  readonly x: ReadonlyArray<ReadonlyArray<number>>
  readonly y: ReadonlyArray<ReadonlyArray<number>>
}

/** quantized-bases.json: transformers' logits of each quantizedBaseGoldens case, and its recorded layers where asked. */
export interface QuantizedBaseFixture extends Omit<AdapterGoldens, "cases"> {
  readonly cases: ReadonlyArray<AdapterGoldens["cases"][number] & { readonly layers?: ReadonlyArray<RecordedLayer> }>
}

/** Where the LoRA package keeps transformers' logits of quantizedBaseGoldens. */
export const quantizedBasesFile = (packageDir: string): string => join(goldensDir(packageDir), "quantized-bases.json")

/** A package's fixture folder and its logits file. */
export const goldensDir = (packageDir: string): string => join(packageDir, "test", "goldens")
export const goldensFile = (packageDir: string): string => join(goldensDir(packageDir), "peft-logits.json")
