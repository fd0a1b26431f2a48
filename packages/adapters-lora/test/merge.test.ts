// peftlab merge against the merge written out by hand (float64 loops over the stored values):
// plain LoRA, rsLoRA with rank and alpha patterns, DoRA, GPT-2's Conv1D ([in, out]), a bf16
// sharded base whose layout and index come back as they were, an NF4-trained adapter, and the
// refusals (exit-2 input errors naming the file or field), with --out untouched when one fails.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Exit } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { isInputError, Rng } from "@peftlab/core"
import { dequantizeNf4, openCheckpoint, quantizeNf4, readSafetensors, writeRandomCheckpointFiles, writeSafetensors, type SafetensorsTensor } from "@peftlab/models"
import { tinyConfigs } from "@peftlab/testkit"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"
import { mergeLoraAdapter, type MergeOptions } from "../src/index.ts"
import { outlineLinears } from "../src/merge-outline.ts"
import { folderTensors } from "./folder-tensors.ts"

const tmp = useTmpDir("merge")
beforeAll(() => tf.setBackend("cpu"))

type Arch = "llama" | "gpt2"
const base = async (arch: Arch, options: { dtype?: "F32" | "BF16"; maxShardBytes?: number } = {}) => {
  const dir = join(tmp(), `tiny-${arch}`)
  await Effect.runPromise(writeRandomCheckpointFiles(dir, tinyConfigs[arch], 3, options))
  writeFileSync(join(dir, "tokenizer.json"), "{}")
  return dir
}


interface AdapterSpec {
  readonly targets: ReadonlyArray<string>
  readonly r?: number
  readonly alpha?: number
  readonly config?: Record<string, unknown>
  /** module -> [r, scale] the test expects (after patterns). */
  readonly rank?: (module: string) => [number, number]
  readonly dora?: boolean
}

/** A PEFT LoRA folder with random factors over the base's modules; returns it and its tensors. */
const adapter = async (modelDir: string, arch: Arch, spec: AdapterSpec) => {
  const dir = join(tmp(), "adapter")
  mkdirSync(dir, { recursive: true })
  const r = spec.r ?? 4
  const alpha = spec.alpha ?? 8
  const config = { peft_type: "LORA", r, lora_alpha: alpha, target_modules: spec.targets, fan_in_fan_out: arch === "gpt2", use_dora: spec.dora ?? false, base_model_name_or_path: `tiny-${arch}`, ...spec.config }
  const rng = Rng.seeded(7)
  const draw = (shape: number[], shift = 0) => ({ shape, data: Float32Array.from({ length: shape[0]! * (shape[1] ?? 1) }, () => shift + 0.3 * rng.normal()) })
  const { architecture, config: modelConfig } = await Effect.runPromise((await import("@peftlab/models")).readModelConfig(modelDir))
  const linears = await Effect.runPromise(Effect.scoped(Effect.flatMap(openCheckpoint(modelDir), (c) => outlineLinears(modelDir, architecture, modelConfig, c.entries))))
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>()
  const expected = new Map<string, { tensor: string; transposed: boolean; rank: number; scale: number }>()
  for (const m of linears.filter((l) => spec.targets.some((t) => l.name.endsWith(`.${t}`)))) {
    const [rank, scale] = spec.rank?.(m.name) ?? [r, alpha / r]
    const [out, inFeatures] = m.shape
    const prefix = `base_model.model.${m.name}`
    tensors.set(`${prefix}.lora_A.weight`, draw([rank, inFeatures]))
    tensors.set(`${prefix}.lora_B.weight`, draw([out, rank]))
    if (spec.dora) tensors.set(`${prefix}.lora_magnitude_vector`, draw([out], 1))
    expected.set(m.name, { tensor: m.tensor, transposed: m.storedTransposed, rank, scale })
  }
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify(config))
  await Effect.runPromise(writeSafetensors(join(dir, "adapter_model.safetensors"), tensors))
  return { dir, tensors, expected }
}

/** W + scale B A (DoRA: rows rescaled to m / ‖·‖), in float64, in the stored layout. */
const handMerged = (stored: SafetensorsTensor, transposed: boolean, a: Float32Array, b: Float32Array, rank: number, scale: number, m?: Float32Array): Float64Array => {
  const [rows, columns] = stored.shape as [number, number]
  const [out, inFeatures] = transposed ? [columns, rows] : [rows, columns]
  const at = (o: number, i: number) => (transposed ? i * columns + o : o * columns + i)
  const merged = new Float64Array(rows * columns)
  for (let o = 0; o < out; o++) {
    let norm = 0
    for (let i = 0; i < inFeatures; i++) {
      let delta = 0
      for (let k = 0; k < rank; k++) delta += b[o * rank + k]! * a[k * inFeatures + i]!
      merged[at(o, i)] = stored.data[at(o, i)]! + scale * delta
      norm += merged[at(o, i)]! ** 2
    }
    if (m) for (let i = 0; i < inFeatures; i++) merged[at(o, i)] = merged[at(o, i)]! * (m[o]! / Math.sqrt(norm))
  }
  return merged
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((max, x, i) => Math.max(max, Math.abs(x - b[i]!)), 0)

const mergeCase = async (arch: Arch, spec: AdapterSpec, baseOptions: { dtype?: "F32" | "BF16"; maxShardBytes?: number } = {}, options: Partial<MergeOptions> = {}) => {
  const modelDir = await base(arch, baseOptions)
  const made = await adapter(modelDir, arch, spec)
  const outDir = join(tmp(), "merged")
  const report = await Effect.runPromise(mergeLoraAdapter({ modelDir, adapterDir: made.dir, outDir, ...options }))
  return { modelDir, outDir, report, made, before: await folderTensors(modelDir), after: await folderTensors(outDir) }
}

/** The merged tensors against the hand merge; every other tensor unchanged. */
const checkMerged = (result: Awaited<ReturnType<typeof mergeCase>>, tolerance: number) => {
  const { made, before, after } = result
  const mergedTensors = new Set([...made.expected.values()].map((e) => e.tensor))
  for (const [module, { tensor, transposed, rank, scale }] of made.expected) {
    const prefix = `base_model.model.${module}`
    const m = made.tensors.get(`${prefix}.lora_magnitude_vector`)?.data
    const want = handMerged(before.get(tensor)!, transposed, made.tensors.get(`${prefix}.lora_A.weight`)!.data, made.tensors.get(`${prefix}.lora_B.weight`)!.data, rank, scale, m)
    expect(maxDiff(after.get(tensor)!.data, want), tensor).toBeLessThan(tolerance)
    expect(maxDiff(after.get(tensor)!.data, before.get(tensor)!.data), `${tensor} changed`).toBeGreaterThan(0.01)
  }
  for (const [name, tensor] of before) if (!mergedTensors.has(name)) expect(after.get(name)!.data, name).toEqual(tensor.data)
}

describe("mergeLoraAdapter", () => {
  // float32 sums of r products against float64: within 1e-5 on weights of order 1.
  it("folds plain LoRA into q_proj and v_proj of a float32 Llama, copying config and tokenizer", async () => {
    const result = await mergeCase("llama", { targets: ["q_proj", "v_proj"] })
    checkMerged(result, 1e-5)
    expect(result.report.merged).toHaveLength(4)
    expect(readdirSync(result.outDir).sort()).toEqual(["config.json", "model.safetensors", "tokenizer.json"])
    expect(readFileSync(join(result.outDir, "config.json"), "utf8")).toBe(readFileSync(join(result.modelDir, "config.json"), "utf8"))
  })

  it("scales by alpha / sqrt(r) with rsLoRA, and by rank_pattern and alpha_pattern per module", async () => {
    const rank = (module: string): [number, number] => (module.endsWith("down_proj") ? [2, 16 / Math.sqrt(2)] : module === "model.layers.1.self_attn.q_proj" ? [4, 3 / Math.sqrt(4)] : [4, 8 / Math.sqrt(4)])
    const config = { use_rslora: true, rank_pattern: { down_proj: 2 }, alpha_pattern: { "model.layers.1.self_attn.q_proj": 3, down_proj: 16 } }
    checkMerged(await mergeCase("llama", { targets: ["q_proj", "down_proj"], config, rank }), 1e-5)
  })

  it("rescales each row to DoRA's magnitude over the norm of W + scale B A", async () => {
    checkMerged(await mergeCase("llama", { targets: ["k_proj", "up_proj"], dora: true }), 1e-5)
  })

  it("merges GPT-2's Conv1D weights in their stored [in, out] layout (fan_in_fan_out), with DoRA", async () => {
    checkMerged(await mergeCase("gpt2", { targets: ["c_attn", "c_proj"], dora: true }), 1e-5)
  })

  // bf16 storage: the written value is W + ΔW rounded to bf16, so it is within half a bf16 ulp
  // (at most 2^-8 of it: 7 stored mantissa bits) of the float64 merge, plus float32 rounding.
  it("writes a bf16 sharded base back in its shards, its index byte for byte", async () => {
    const result = await mergeCase("llama", { targets: ["o_proj", "gate_proj"] }, { dtype: "BF16", maxShardBytes: 4000 })
    const shards = readdirSync(result.modelDir).filter((f) => f.endsWith(".safetensors"))
    expect(shards.length).toBeGreaterThan(2)
    for (const file of [...shards, "model.safetensors.index.json"]) expect(existsSync(join(result.outDir, file)), file).toBe(true)
    expect(readFileSync(join(result.outDir, "model.safetensors.index.json"), "utf8")).toBe(readFileSync(join(result.modelDir, "model.safetensors.index.json"), "utf8"))
    for (const file of shards) {
      const [was, now] = await Promise.all([Effect.runPromise(readSafetensors(join(result.modelDir, file))), Effect.runPromise(readSafetensors(join(result.outDir, file)))])
      expect([...now.keys()], file).toEqual([...was.keys()])
      for (const [name, t] of now) expect(t.dtype, name).toBe("BF16")
    }
    const { made, before, after } = result
    for (const [module, { tensor, transposed, rank, scale }] of made.expected) {
      const prefix = `base_model.model.${module}`
      const want = handMerged(before.get(tensor)!, transposed, made.tensors.get(`${prefix}.lora_A.weight`)!.data, made.tensors.get(`${prefix}.lora_B.weight`)!.data, rank, scale)
      const got = after.get(tensor)!.data
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(Math.abs(want[i]!) * 2 ** -8 + 1e-7)
    }
  })

  it("merges an NF4-trained adapter onto the dequantized base and says so", async () => {
    const result = await mergeCase("llama", { targets: ["q_proj"] }, {}, { nf4Base: true })
    expect(result.report.notes.join(" ")).toMatch(/dequantized NF4 base.*Merge lora module to 4-bit linear may get different generations due to rounding errors/)
    const untouched = "model.layers.0.mlp.down_proj.weight"
    expect(result.after.get(untouched)!.data).toEqual(dequantizeNf4(quantizeNf4(result.before.get(untouched)!.data, 64)))
    expect(result.after.get("lm_head.weight")!.data).toEqual(result.before.get("lm_head.weight")!.data)
    const q = result.made.expected.get("model.layers.0.self_attn.q_proj")!
    const dequantized = { ...result.before.get(q.tensor)!, data: dequantizeNf4(quantizeNf4(result.before.get(q.tensor)!.data, 64)) }
    const prefix = "base_model.model.model.layers.0.self_attn.q_proj"
    const want = handMerged(dequantized, false, result.made.tensors.get(`${prefix}.lora_A.weight`)!.data, result.made.tensors.get(`${prefix}.lora_B.weight`)!.data, q.rank, q.scale)
    expect(maxDiff(result.after.get(q.tensor)!.data, want)).toBeLessThan(1e-5)
  })
})

describe("mergeLoraAdapter refuses", () => {
  /** The failure's message, checking that it is an input error (exit 2) and that --out was not made. */
  const refusal = async (arch: Arch, spec: AdapterSpec, edit: (adapterDir: string, modelDir: string) => void, outDir = join(tmp(), "merged")) => {
    const modelDir = await base(arch)
    const made = await adapter(modelDir, arch, spec)
    edit(made.dir, modelDir)
    const exit = await Effect.runPromiseExit(mergeLoraAdapter({ modelDir, adapterDir: made.dir, outDir }))
    if (!Exit.isFailure(exit)) throw new Error("the merge did not fail")
    const error = exit.cause.reasons.map((reason) => ("error" in reason ? reason.error : undefined)).find(isInputError)
    expect(error, String(exit.cause)).toBeDefined()
    expect(readdirSync(tmp()).filter((f) => f.includes(".merging-"))).toEqual([])
    return error!.message
  }
  const editConfig = (change: Record<string, unknown>) => (dir: string) => {
    const path = join(dir, "adapter_config.json")
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), ...change }))
  }
  const nothing = () => {}

  it("a non-empty --out, leaving what is there", async () => {
    const out = join(tmp(), "busy")
    mkdirSync(out)
    writeFileSync(join(out, "keep.txt"), "mine")
    expect(await refusal("llama", { targets: ["q_proj"] }, nothing, out)).toMatch(/busy: is not empty/)
    expect(readFileSync(join(out, "keep.txt"), "utf8")).toBe("mine")
  })
  it("prompt-like adapters, by name", async () => {
    expect(await refusal("llama", { targets: ["q_proj"] }, editConfig({ peft_type: "PREFIX_TUNING" }))).toMatch(/adapter_config.json: peft_type: "PREFIX_TUNING" is prefix tuning, a prompt-like adapter.*nothing to merge/)
    expect(await refusal("llama", { targets: ["q_proj"] }, editConfig({ peft_type: "IA3" }))).toMatch(/"IA3" cannot be merged by peftlab/)
  })
  it("an adapter for another base model", async () => {
    expect(await refusal("llama", { targets: ["q_proj"] }, editConfig({ base_model_name_or_path: "meta-llama/Llama-2-7b-hf" }))).toMatch(/base_model_name_or_path: "meta-llama\/Llama-2-7b-hf" does not name --model/)
  })
  it("target modules the model does not have", async () => {
    expect(await refusal("llama", { targets: ["q_proj"] }, editConfig({ target_modules: ["c_attn"] }))).toMatch(/target_modules: \["c_attn"\] matches none of this model's linear modules \(q_proj, k_proj/)
  })
  it("a factor of the wrong shape, and a missing one, naming the tensor", async () => {
    expect(await refusal("llama", { targets: ["q_proj"] }, editConfig({ r: 8 }))).toMatch(/adapter_model.safetensors: tensor "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": expected shape \[8, 24\], got \[4, 24\]/)
    expect(await refusal("llama", { targets: ["q_proj"] }, editConfig({ use_dora: true }))).toMatch(/tensor "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector" is missing/)
  })
  it("a base missing a targeted weight", async () => {
    const drop = (_: string, modelDir: string) => {
      const config = JSON.parse(readFileSync(join(modelDir, "config.json"), "utf8"))
      writeFileSync(join(modelDir, "config.json"), JSON.stringify({ ...config, num_hidden_layers: 3 }))
    }
    expect(await refusal("llama", { targets: ["q_proj"] }, drop)).toMatch(/missing tensor "model.layers.2.self_attn.q_proj.weight"/)
  })
})
