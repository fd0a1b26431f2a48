// The existing adapters a spec names (adapter arms' path, init_from), checked before anything
// runs: found as a folder or offline by Hugging Face id, of a kind peftlab loads, and, for
// init_from, agreeing with the arm's own fields, each problem a spec issue at its field.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { isInputError } from "@peftlab/core"
import { writeAdapterFolder } from "@peftlab/testkit/peft-folder"
import { checkAdapterReferences } from "../src/index.ts"
import { findAdapterFolder } from "../src/adapter-arms/adapter-folder.ts"
import { adapterFilesHash, fingerprintInputs, fingerprintOf } from "../src/fingerprint.ts"
import { decodeSmall, edit, positionOf, smallSpec } from "./fixtures.ts"

const loraConfig = { peft_type: "LORA", r: 4, lora_alpha: 8, target_modules: ["q_proj", "v_proj"], use_rslora: false }
const promptConfig = { peft_type: "PROMPT_TUNING", num_virtual_tokens: 4 }

const withArm = (arm: string) => edit(smallSpec, "    kind: base\n", `    kind: base\n${arm}`)
const loraArm = (initFrom: string, fields = "    r: 4\n    lora_alpha: 8\n    target_modules: [v_proj, q_proj]\n") => withArm(`  - name: lora\n    kind: lora\n${fields}    init_from: ${initFrom}\n`)

const issuesOf = async (text: string, env: Record<string, string> = {}) => {
  const error = await Effect.runPromise(Effect.flip(checkAdapterReferences(await decodeSmall(text), env)))
  expect(isInputError(error)).toBe(true)
  if (error._tag !== "SpecError") throw error
  return error.issues
}

const accepts = async (text: string, env: Record<string, string> = {}) => Effect.runPromise(checkAdapterReferences(await decodeSmall(text), env))

const emptyEnv = () => ({ PEFTLAB_MODELS: mkdtempSync(join(tmpdir(), "peftlab-models-")), HF_HOME: mkdtempSync(join(tmpdir(), "peftlab-hf-")) })

describe("checkAdapterReferences", () => {
  it("accepts an adapter arm's folder and an init_from whose config agrees (target_modules in any order)", async () => {
    const lora = await writeAdapterFolder(loraConfig, {})
    await accepts(loraArm(lora))
    await accepts(withArm(`  - name: reused\n    kind: adapter\n    path: ${await writeAdapterFolder(promptConfig, {})}\n`))
  })

  it("names the field and every place looked when a Hugging Face id is nowhere offline", async () => {
    const env = emptyEnv()
    const text = withArm("  - name: reused\n    kind: adapter\n    path: org/clinical-lora\n")
    const [issue] = await issuesOf(text, env)
    expect(issue).toMatchObject({ path: "arms[1].path", ...positionOf(text, "org/clinical-lora") })
    expect(issue?.message).toContain(`no adapter folder for "org/clinical-lora" (looked in ${join(process.cwd(), "org/clinical-lora")}, ${join(env.PEFTLAB_MODELS, "org/clinical-lora")}, ${join(env.HF_HOME, "hub", "models--org--clinical-lora", "snapshots")})`)
  })

  it("says a folder without adapter_config.json is not an adapter", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-not-adapter-"))
    const [issue] = await issuesOf(withArm(`  - name: reused\n    kind: adapter\n    path: ${dir}\n`))
    expect(issue).toMatchObject({ path: "arms[1].path" })
    expect(issue?.message).toContain(`cannot read ${join(dir, "adapter_config.json")}`)
  })

  it("refuses a peft_type no loader reads, and quantize: nf4 on an adapter that is not LoRA", async () => {
    const ia3 = await writeAdapterFolder({ peft_type: "IA3" }, {})
    const prompt = await writeAdapterFolder(promptConfig, {})
    const issues = await issuesOf(withArm(`  - name: ia3\n    kind: adapter\n    path: ${ia3}\n  - name: qprompt\n    kind: adapter\n    path: ${prompt}\n    quantize: nf4\n`))
    expect(issues.map((issue) => [issue.path, issue.message ?? issue.expected])).toStrictEqual([
      ["arms[1].path", `${join(ia3, "adapter_config.json")} has peft_type "IA3"; an adapter arm loads LORA, PROMPT_TUNING, PREFIX_TUNING, P_TUNING`],
      ["arms[2].quantize", `none (nf4 is for LoRA adapters; ${join(prompt, "adapter_config.json")} has peft_type "PROMPT_TUNING")`],
    ])
  })

  it("names each init_from field that disagrees with the arm, with both values and the file", async () => {
    const dir = await writeAdapterFolder({ ...loraConfig, use_rslora: true }, {})
    const file = join(dir, "adapter_config.json")
    const text = loraArm(dir, "    r: 8\n    lora_alpha: 8\n    target_modules: [q_proj]\n")
    const issues = await issuesOf(text)
    // In file order: use_rslora, left at its default, is placed at its arm.
    expect(issues.map((issue) => `${issue.path}: ${issue.message}`)).toStrictEqual([
      `arms[1].use_rslora: false does not match init_from's adapter_config.json use_rslora: true (${file})`,
      `arms[1].r: 8 does not match init_from's adapter_config.json r: 4 (${file})`,
      `arms[1].target_modules: ["q_proj"] does not match init_from's adapter_config.json target_modules: ["q_proj","v_proj"] (${file})`,
    ])
    expect(issues[1]).toMatchObject(positionOf(text, "8\n    lora_alpha"))
  })

  it("refuses an init_from of another method, or with LoRA fields an arm cannot set", async () => {
    const prompt = await writeAdapterFolder(promptConfig, {})
    const patterned = await writeAdapterFolder({ ...loraConfig, rank_pattern: { q_proj: 2 } }, {})
    expect((await issuesOf(loraArm(prompt))).map((issue) => issue.message)).toStrictEqual([
      `a lora arm starts from a "LORA" adapter, but ${join(prompt, "adapter_config.json")} has peft_type "PROMPT_TUNING"`,
    ])
    expect((await issuesOf(loraArm(patterned))).map((issue) => issue.message)).toStrictEqual([
      `${join(patterned, "adapter_config.json")} sets rank_pattern ({"q_proj":2}), which a lora arm cannot set`,
    ])
  })

  it("checks a prompt arm's num_virtual_tokens", async () => {
    const prompt = await writeAdapterFolder(promptConfig, {})
    const issues = await issuesOf(withArm(`  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 8\n    init_from: ${prompt}\n`))
    expect(issues.map((issue) => issue.path)).toStrictEqual(["arms[1].num_virtual_tokens"])
  })
})

describe("findAdapterFolder", () => {
  it("finds a Hugging Face id under $PEFTLAB_MODELS first, then in the hub cache at refs/main", async () => {
    const env = emptyEnv()
    const cached = join(env.HF_HOME, "hub", "models--org--name")
    mkdirSync(join(cached, "snapshots", "abc123"), { recursive: true })
    mkdirSync(join(cached, "refs"), { recursive: true })
    writeFileSync(join(cached, "refs", "main"), "abc123")
    expect(await Effect.runPromise(findAdapterFolder("org/name", env))).toStrictEqual({ dir: join(cached, "snapshots", "abc123") })
    mkdirSync(join(env.PEFTLAB_MODELS, "org", "name"), { recursive: true })
    expect(await Effect.runPromise(findAdapterFolder("org/name", env))).toStrictEqual({ dir: join(env.PEFTLAB_MODELS, "org", "name") })
  })
})

describe("fingerprints with existing adapters", () => {
  it("count the adapter's files by content: other weights are another run, the same spec without adapters is unchanged", async () => {
    const spec = (await decodeSmall(smallSpec)).spec
    const first = await Effect.runPromise(adapterFilesHash(await writeAdapterFolder(loraConfig, { "base_model.model.q_proj.lora_A.weight": [4, 8] })))
    const other = await Effect.runPromise(adapterFilesHash(await writeAdapterFolder(loraConfig, { "base_model.model.v_proj.lora_A.weight": [4, 8] })))
    const of = (hashes: Record<string, string>) => fingerprintOf(fingerprintInputs(spec, "data", "weights", "wasm", hashes))
    expect(of({ "org/a": first })).not.toBe(of({ "org/a": other }))
    expect(of({})).toBe(fingerprintOf(fingerprintInputs(spec, "data", "weights", "wasm")))
    expect(fingerprintInputs(spec, "data", "weights", "wasm")).not.toHaveProperty("adapters_sha256")
  })
})
