// What the merge goldens ask PEFT for (tools/goldens/merge.ts writes them, merge-peft.test.ts reads
// them): for the testkit's tiny Llama and GPT-2, each written in float32 and in bf16 and sharded as
// the hub ships models, a PEFT-made adapter (rsLoRA with patterns, a rank_pattern, DoRA; small r,
// factors perturbed so B is nonzero) and PEFT's merge_and_unload of it onto each base, saved with
// save_pretrained. The fixture keeps the adapters, PEFT's merged tensors of the targeted modules and
// the layout (files, tensor names and dtypes, index) save_pretrained wrote.
import { createHash } from "node:crypto"
import { join } from "node:path"
import { Effect } from "effect"
import { writeRandomCheckpointFiles, type SafetensorsDtype } from "@peftlab/models"
import { tinyConfigs } from "@peftlab/testkit"

export type MergeGoldenArchitecture = "llama" | "gpt2"

export interface MergeGoldenCase {
  /** Also the adapter's fixture folder: test/goldens/merge/<name>/. */
  readonly name: string
  readonly architecture: MergeGoldenArchitecture
  /** PEFT's LoraConfig arguments. */
  readonly config: Readonly<Record<string, unknown>>
}

/** The base dtypes each adapter merges onto: the arithmetic PEFT merges in is the weight's. */
export const mergeGoldenDtypes = ["F32", "BF16"] as const satisfies ReadonlyArray<SafetensorsDtype>
export type MergeGoldenDtype = (typeof mergeGoldenDtypes)[number]

export const mergeGoldens = {
  /** The bases' seed, and their shard size: small enough that each tiny base is several shards. */
  baseSeed: 3,
  maxShardBytes: 8000,
  /** torch.manual_seed for PEFT's init, then perturb * N(0, 1) on every trainable tensor. */
  adapterSeed: 5,
  perturb: 0.2,
  cases: [
    {
      name: "llama-rslora-patterns",
      architecture: "llama",
      config: { target_modules: ["k_proj", "v_proj", "down_proj"], r: 4, lora_alpha: 8, use_rslora: true, rank_pattern: { down_proj: 2 }, alpha_pattern: { "model.layers.1.self_attn.v_proj": 3 } },
    },
    { name: "llama-dora", architecture: "llama", config: { target_modules: ["q_proj", "up_proj"], r: 2, lora_alpha: 4, use_dora: true } },
    { name: "gpt2-rank-pattern", architecture: "gpt2", config: { target_modules: ["c_attn"], r: 4, lora_alpha: 8, fan_in_fan_out: true, rank_pattern: { "h.1.attn.c_attn": 2 } } },
    { name: "gpt2-dora-rslora", architecture: "gpt2", config: { target_modules: ["attn.c_proj"], r: 2, lora_alpha: 4, fan_in_fan_out: true, use_dora: true, use_rslora: true } },
  ] satisfies ReadonlyArray<MergeGoldenCase>,
  /** PEFT's merged tensors of the targeted modules, as "<case>/<dtype>/<tensor>". */
  tensorsFile: "merge-peft.safetensors",
  /** The stack's versions and, per case and dtype, the layout save_pretrained wrote. */
  layoutsFile: "merge-peft.json",
} as const

/** The adapters' folder, and a fixture file (tensorsFile, layoutsFile) beside it. */
export const mergeGoldensDir = join(import.meta.dirname, "merge")
export const mergeGoldenFile = (file: string): string => join(import.meta.dirname, file)
export const mergeGoldenAdapterDir = (golden: MergeGoldenCase): string => join(mergeGoldensDir, golden.name)
/** The name the adapters record as base_model_name_or_path, and peftlab's merge is told as --model. */
export const mergeGoldenBaseName = (architecture: MergeGoldenArchitecture): string => `peftlab-tiny-${architecture}-seed-${mergeGoldens.baseSeed}`
/** Where writeMergeGoldenBases puts the base of `architecture` stored as `dtype`. */
export const mergeGoldenBaseDir = (root: string, architecture: MergeGoldenArchitecture, dtype: MergeGoldenDtype): string => join(root, `${architecture}-${dtype}`)

/** The float32 and bf16 bases of every case's architecture, sharded, under `root` (the same bytes each time: seeded). */
export const writeMergeGoldenBases = async (root: string): Promise<void> => {
  for (const architecture of new Set(mergeGoldens.cases.map((c) => c.architecture))) {
    for (const dtype of mergeGoldenDtypes) {
      const options = { dtype, maxShardBytes: mergeGoldens.maxShardBytes }
      await Effect.runPromise(writeRandomCheckpointFiles(mergeGoldenBaseDir(root, architecture, dtype), tinyConfigs[architecture], mergeGoldens.baseSeed, options))
    }
  }
}

export const mergedTensorKey = (golden: MergeGoldenCase, dtype: MergeGoldenDtype, tensor: string): string => `${golden.name}/${dtype}/${tensor}`

/** One merged folder as save_pretrained wrote it: each weights file's tensors and dtypes, their digests, and the index if any. */
export interface MergedLayout {
  readonly files: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** sha256 of each tensor's values as little-endian float32, its first 16 hex digits (tensorDigest). */
  readonly digests: Readonly<Record<string, string>>
  readonly index: { readonly metadata?: Readonly<Record<string, unknown>>; readonly weight_map: Readonly<Record<string, string>> } | null
}

export interface MergeGoldenLayouts {
  readonly peft: string
  readonly transformers: string
  readonly torch: string
  /** Per case, per dtype: the layout of PEFT's merged folder, and the modules PEFT merged. */
  readonly cases: Readonly<Record<string, Readonly<Record<MergeGoldenDtype, MergedLayout & { readonly merged: ReadonlyArray<string> }>>>>
}

/** merge_goldens.py's digest of a tensor: its values as float32 (a bf16 value widens exactly), sha256, 16 hex digits. */
export const tensorDigest = (values: Float32Array): string => createHash("sha256").update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest("hex").slice(0, 16)
