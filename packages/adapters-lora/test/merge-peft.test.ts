// peftlab merge against PEFT's own merge_and_unload (goldens/merge-peft.ts; tools/goldens/merge.ts
// writes the fixture): PEFT's adapters (rsLoRA with patterns, a rank_pattern, DoRA; Llama and GPT-2's
// Conv1D) merged by peftlab onto the same float32 and bf16 sharded bases, every tensor against what
// PEFT's save_pretrained wrote. With .venv-goldens, transformers also loads peftlab's merged folders
// and their logits are compared with PEFT's merged model's.
import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readSafetensors } from "@peftlab/models"
import { goldensPython } from "@peftlab/references"
import { maxAbsDiff, paddedBatch } from "@peftlab/testkit/peft-goldens"
import { mergeLoraAdapter, type MergeReport } from "../src/index.ts"
import { folderTensors } from "./folder-tensors.ts"
import {
  mergedTensorKey,
  mergeGoldenAdapterDir,
  mergeGoldenBaseDir,
  mergeGoldenBaseName,
  mergeGoldenDtypes,
  mergeGoldens,
  mergeGoldenFile,
  tensorDigest,
  writeMergeGoldenBases,
  type MergeGoldenArchitecture,
  type MergeGoldenDtype,
  type MergeGoldenLayouts,
} from "./goldens/merge-peft.ts"

const layouts = JSON.parse(readFileSync(mergeGoldenFile(mergeGoldens.layoutsFile), "utf8")) as MergeGoldenLayouts
const peftTensors = await Effect.runPromise(readSafetensors(mergeGoldenFile(mergeGoldens.tensorsFile)))

let root = ""
const baseDir = (architecture: MergeGoldenArchitecture, dtype: MergeGoldenDtype) => mergeGoldenBaseDir(root, architecture, dtype)
const outDir = (name: string, dtype: MergeGoldenDtype) => join(root, `${name}-${dtype}-merged`)

/** The float32 bases' tensors, to check that each case's update is no rounding-sized one. */
const bases = new Map<MergeGoldenArchitecture, Awaited<ReturnType<typeof folderTensors>>>()
const merges = new Map<string, { readonly report: MergeReport; readonly tensors: Awaited<ReturnType<typeof folderTensors>> }>()
const mergeOf = (name: string, dtype: MergeGoldenDtype) => merges.get(`${name}/${dtype}`)!

beforeAll(async () => {
  await tf.setBackend("cpu")
  root = mkdtempSync(join(tmpdir(), "peftlab-merge-peft-"))
  await writeMergeGoldenBases(root)
  for (const golden of mergeGoldens.cases) bases.set(golden.architecture, await folderTensors(baseDir(golden.architecture, "F32")))
  for (const golden of mergeGoldens.cases) {
    for (const dtype of mergeGoldenDtypes) {
      const options = { modelDir: baseDir(golden.architecture, dtype), modelName: mergeGoldenBaseName(golden.architecture), adapterDir: mergeGoldenAdapterDir(golden), outDir: outDir(golden.name, dtype) }
      const report = await Effect.runPromise(mergeLoraAdapter(options))
      merges.set(`${golden.name}/${dtype}`, { report, tensors: await folderTensors(options.outDir) })
    }
  }
}, 120_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

const maxAbs = (values: ArrayLike<number>) => Array.from(values).reduce((max, x) => Math.max(max, Math.abs(x)), 0)
const maxAbsDelta = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((max, x, i) => Math.max(max, Math.abs(x - b[i]!)), 0)

/** bf16 values (exact in float32) as integers ordered like the values, so that adjacent bf16 numbers differ by 1. */
const bf16Order = (values: Float32Array): Int32Array =>
  Int32Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length), (bits) => {
    const half = bits >>> 16
    return half & 0x8000 ? -(half & 0x7fff) : half
  })

describe.each(mergeGoldens.cases)("peftlab merge of PEFT's $name adapter, against PEFT's merge_and_unload", (golden) => {
  const peftLayout = (dtype: MergeGoldenDtype) => layouts.cases[golden.name]![dtype]

  it("merges the modules PEFT merged", () => {
    for (const dtype of mergeGoldenDtypes) expect([...mergeOf(golden.name, dtype).report.merged].sort(), dtype).toEqual(peftLayout(dtype).merged)
  })

  // Both merge in float32: W + scale B A (DoRA: times m / ‖W + scale B A‖ per row), peftlab in tfjs,
  // PEFT in torch; the sums of r products may round differently, far below 1e-4 of the weights.
  // The perturbed factors move each weight by a good part of its largest value, so this is no check of W alone.
  it("gives PEFT's merged float32 weights within 1e-4 of each tensor's largest value", () => {
    for (const module of peftLayout("F32").merged) {
      const peft = peftTensors.get(mergedTensorKey(golden, "F32", `${module}.weight`))!
      const ours = mergeOf(golden.name, "F32").tensors.get(`${module}.weight`)!
      expect(ours.shape, module).toEqual(peft.shape)
      expect(maxAbsDelta(peft.data, bases.get(golden.architecture)!.get(`${module}.weight`)!.data) / maxAbs(peft.data), `${module} moved`).toBeGreaterThan(0.1)
      expect(maxAbsDelta(ours.data, peft.data) / maxAbs(peft.data), module).toBeLessThan(1e-4)
    }
  })

  // PEFT's merge onto a bf16 weight does not add in bf16: the adapter is upcast to float32
  // (autocast_adapter_dtype), so W + ΔW (DoRA: m / ‖W + ΔW‖ · (W + ΔW)) is computed in float32 and
  // rounded to bf16 once (the in-place add onto the bf16 weight, DoRA's .to(orig_dtype)), as peftlab
  // does. Only ΔW's float32 rounding differs, which moves a value across a bf16 rounding boundary
  // now and then: one ulp at most.
  it("gives PEFT's merged bf16 weights exactly or one bf16 ulp apart", () => {
    for (const module of peftLayout("BF16").merged) {
      const peft = peftTensors.get(mergedTensorKey(golden, "BF16", `${module}.weight`))!
      const ours = mergeOf(golden.name, "BF16").tensors.get(`${module}.weight`)!
      expect([ours.dtype, peft.dtype], module).toEqual(["BF16", "BF16"])
      const [mine, theirs] = [bf16Order(ours.data), bf16Order(peft.data)]
      const ulps = mine.reduce((max, x, i) => Math.max(max, Math.abs(x - theirs[i]!)), 0)
      expect(ulps, module).toBeLessThanOrEqual(1)
    }
  })

  it("leaves every other tensor bit for bit as PEFT's save_pretrained wrote it", () => {
    for (const dtype of mergeGoldenDtypes) {
      const merged = new Set(peftLayout(dtype).merged.map((module) => `${module}.weight`))
      for (const [name, tensor] of mergeOf(golden.name, dtype).tensors) {
        if (!merged.has(name)) expect(tensorDigest(tensor.data), `${dtype} ${name}`).toBe(peftLayout(dtype).digests[name])
      }
    }
  })

  // PEFT's save_pretrained writes the tensors in one model.safetensors (transformers 5's default
  // max_shard_size is 50GB), whatever the base's shards; peftlab keeps the base's shards and index,
  // which transformers loads the same way and which keep a merged 7B model in the files it came in.
  it("writes PEFT's tensor names and dtypes, in the base's shards and index", () => {
    for (const dtype of mergeGoldenDtypes) {
      const ours = mergeOf(golden.name, dtype)
      const peft = peftLayout(dtype)
      const peftDtypes = Object.assign({}, ...Object.values(peft.files)) as Record<string, string>
      const ourDtypes = Object.fromEntries([...ours.tensors].map(([name, tensor]) => [name, tensor.dtype]))
      expect(ourDtypes, dtype).toEqual(peftDtypes)
      expect([Object.keys(peft.files), peft.index], dtype).toEqual([["model.safetensors"], null])
      const base = baseDir(golden.architecture, dtype)
      const weightFiles = (dir: string) => readdirSync(dir).filter((file) => file.endsWith(".safetensors") || file.endsWith(".index.json")).sort()
      expect(weightFiles(outDir(golden.name, dtype)), dtype).toEqual(weightFiles(base))
      expect(weightFiles(base).length, dtype).toBeGreaterThan(2)
      const index = "model.safetensors.index.json"
      expect(readFileSync(join(outDir(golden.name, dtype), index), "utf8"), dtype).toBe(readFileSync(join(base, index), "utf8"))
    }
  })
})

/** merge_goldens.py's check cases: PEFT's merged model's logits and transformers' of peftlab's merged folder. */
const liveLogits = async (python: string, cases: ReadonlyArray<unknown>) => {
  const child = promisify(execFile)(python, [join(import.meta.dirname, "..", "..", "references", "python", "merge_goldens.py")], { maxBuffer: 64 << 20, env: { ...process.env, HF_HUB_OFFLINE: "1" } })
  child.child.stdin!.end(JSON.stringify({ cases }))
  const answer = JSON.parse((await child).stdout) as { cases: Array<{ peft_logits: number[][][]; merged_logits: number[][][] }> }
  return answer.cases
}

const python = goldensPython()
if (python === undefined) console.warn("skipping the live merge check against PEFT: no .venv-goldens (.ci/run makes it from packages/references/python/requirements.txt)")
describe("peftlab's merged folders, loaded by transformers", () => {
  const checks = mergeGoldens.cases.flatMap((golden) => mergeGoldenDtypes.map((dtype) => ({ golden, dtype })))
  // float32 forward passes of the two merged models: their weights agree to 1e-4 (float32) or one bf16 ulp.
  it.skipIf(python === undefined)("give PEFT's merged model's logits within 1e-4 (skipped without .venv-goldens: .ci/run makes it)", async () => {
    const answers = await liveLogits(
      python!,
      checks.map(({ golden, dtype }) => ({ check: { model: baseDir(golden.architecture, dtype), dtype, adapter: mergeGoldenAdapterDir(golden), merged: outDir(golden.name, dtype), ids: paddedBatch.ids, mask: paddedBatch.mask } })),
    )
    checks.forEach(({ golden, dtype }, i) => {
      const { peft_logits: peft, merged_logits: ours } = answers[i]!
      expect(maxAbsDiff(ours, peft), `${golden.name} ${dtype}`).toBeLessThan(1e-4)
    })
  }, 300_000)
})
