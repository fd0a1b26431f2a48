// `peftlab merge` end to end on a tiny random Llama: the merged folder and the line saying what
// was written, the NF4 note, and each bad flag or file an exit-2 error naming it, with --out left
// as it was. (The merge's numbers are checked in @peftlab/adapters-lora's merge tests and goldens.)
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { writeRandomCheckpointFiles, writeSafetensors } from "@peftlab/models"
import { tinyConfigs } from "@peftlab/testkit"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"
import { main } from "../src/main.ts"
import { captureIo } from "./io.ts"

const tmp = useTmpDir("cli-merge")

/** A tiny Llama and a LoRA adapter on its q_proj (B non-zero, so the merge changes the weights). */
const folders = async (config: Record<string, unknown> = {}) => {
  const model = join(tmp(), "tiny-llama")
  await Effect.runPromise(writeRandomCheckpointFiles(model, tinyConfigs.llama, 1, { dtype: "BF16" }))
  const adapter = join(tmp(), "adapter")
  mkdirSync(adapter)
  writeFileSync(join(adapter, "adapter_config.json"), JSON.stringify({ peft_type: "LORA", r: 2, lora_alpha: 4, target_modules: ["q_proj"], base_model_name_or_path: "tiny-llama", ...config }))
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>([0, 1].flatMap((layer): Array<[string, { shape: number[]; data: Float32Array }]> => {
    const prefix = `base_model.model.model.layers.${layer}.self_attn.q_proj`
    return [[`${prefix}.lora_A.weight`, { shape: [2, 24], data: new Float32Array(48).fill(0.1) }], [`${prefix}.lora_B.weight`, { shape: [36, 2], data: new Float32Array(72).fill(0.2) }]]
  }))
  await Effect.runPromise(writeSafetensors(join(adapter, "adapter_model.safetensors"), tensors))
  return { model, adapter, out: join(tmp(), "merged") }
}

const run = async (argv: ReadonlyArray<string>) => {
  const { io, out, err } = captureIo()
  const code = await main(argv, io)
  return { code, out: out.join("\n"), err: err.join("\n").split("\n")[0] }
}

describe("peftlab merge", () => {
  it("writes the merged model and says what it wrote; --nf4-base adds PEFT's note", async () => {
    const { model, adapter, out } = await folders()
    const done = await run(["merge", "--model", model, "--adapter", adapter, "--out", out])
    expect(done).toMatchObject({ code: 0, out: `${out}: merged 2 modules into model.safetensors; copied config.json` })
    expect(readdirSync(out).sort()).toEqual(["config.json", "model.safetensors"])
    const nf4 = await run(["merge", "--model", model, "--adapter", adapter, "--out", join(tmp(), "nf4"), "--nf4-base"])
    expect(nf4.code).toBe(0)
    expect(nf4.out).toMatch(/^note: merged onto the dequantized NF4 base.*"Merge lora module to 4-bit linear may get different generations due to rounding errors."/)
  })

  it("lists merge in --help and refuses missing or misplaced flags", async () => {
    expect((await run(["--help"])).out).toMatch(/\n  merge           fold a LoRA adapter/)
    expect(await run(["merge", "--model", "m"])).toMatchObject({ code: 2, err: "error: merge needs --adapter, --out" })
    expect(await run(["merge", "x", "--model", "m", "--adapter", "a", "--out", "o"])).toMatchObject({ code: 2, err: "error: merge takes no positional arguments (name the folders with --model, --adapter and --out)" })
    expect(await run(["merge", "--model", "m", "--adapter", "a", "--out", "o", "--backend", "cpu"])).toMatchObject({ code: 2, err: "error: --backend belongs to run, not merge" })
    expect(await run(["run", "spec.yaml", "--nf4-base"])).toMatchObject({ code: 2, err: "error: --nf4-base belongs to merge, not run" })
  })

  it("exits 2 naming the file at fault, and writes nothing", async () => {
    const { model, adapter, out } = await folders({ peft_type: "PROMPT_TUNING" })
    const prompt = await run(["merge", "--model", model, "--adapter", adapter, "--out", out])
    expect(prompt).toMatchObject({ code: 2, err: `error: ${join(adapter, "adapter_config.json")}: peft_type: "PROMPT_TUNING" is prompt tuning, a prompt-like adapter: its virtual tokens are inputs the model reads, not an update to its weights, so there is nothing to merge (PEFT's merge_and_unload refuses them too); use the adapter as it is` })
    expect(existsSync(out)).toBe(false)
    const missing = await run(["merge", "--model", model, "--adapter", join(tmp(), "nowhere"), "--out", out])
    expect(missing.code).toBe(2)
    expect(missing.err).toMatch(/^error: --adapter: no adapter folder for/)
    mkdirSync(out)
    writeFileSync(join(out, "x"), "")
    const busy = await run(["merge", "--model", model, "--adapter", adapter, "--out", out])
    expect(busy).toMatchObject({ code: 2, err: `error: ${out}: is not empty (x...): merge writes a new model folder and never replaces files; give a new or empty folder` })
  })
})
