// The built-in methods' arms (prompt, prefix, lora): the spec decodes them as method arms and the
// registry's methods decode their options (moved here from the spec's own tests when the options
// moved into the adapters packages): defaults filled as before, each problem at its line:column,
// swept values checked as the field itself, and each method's rules among its own options.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { decodeSpecText } from "@peftlab/spec"
import { Registry } from "@peftlab/plugin-api"
import { builtinMethodArmChecks, builtinRegistry, builtinRegistryLayer, checkRegisteredNames, checkNamesWithoutPlugins, withDecodedOptions } from "../src/index.ts"
import { decodeSmall, edit, positionOf, smallSpec } from "./fixtures.ts"

const promptArm = "  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 4\n"
const withPrompt = edit(smallSpec, "  - name: base\n    kind: base\n", `  - name: base\n    kind: base\n${promptArm}`)
const withArms = (arms: string): string => edit(withPrompt, promptArm, `${promptArm}${arms}`)

const issuesOf = async (text: string) => (await Effect.runPromise(Effect.flip(checkRegisteredNames(await decodeSmall(text)).pipe(Effect.provide(builtinRegistryLayer))))).issues
const decodedArms = async (text: string) => {
  const loaded = await decodeSmall(text)
  const registry = builtinRegistry()
  await Effect.runPromise(checkRegisteredNames(loaded).pipe(Effect.provideService(Registry, registry)))
  return withDecodedOptions(loaded, registry).spec.arms
}

describe("built-in method arms", () => {
  it("decode with every default of their options, in the order the manifest has always echoed", async () => {
    const arms = await decodedArms(withArms("  - name: fine-tune\n    kind: fine-tune\n"))
    expect(arms).toStrictEqual([
      { name: "base", kind: "base", group: "base", config: "base" },
      { name: "prompt", kind: "prompt", num_virtual_tokens: 4, init: "random", unfreeze_base: false, group: "prompt", config: "prompt" },
      { name: "fine-tune", kind: "fine-tune", hard_prompt: true, group: "fine-tune", config: "fine-tune" },
    ])
    expect(Object.keys(arms[1]!)).toStrictEqual(["name", "kind", "num_virtual_tokens", "init", "unfreeze_base", "group", "config"])
    const lora = await decodedArms(withArms("  - name: lora\n    kind: lora\n    r: 8\n    lora_alpha: 16\n    target_modules: [q_proj]\n    sweep:\n      training.lr: [0.1]\n"))
    expect(Object.entries(lora[2]!)).toStrictEqual(
      Object.entries({ name: "lora-lr0.1", kind: "lora", r: 8, lora_alpha: 16, lora_dropout: 0, target_modules: ["q_proj"], use_rslora: false, quantize: "none", training: { lr: 0.1 }, group: "lora", config: "lora-lr0.1" }),
    )
  })

  it("report a value of the wrong type at the value, with the field's expectation (validate too, which imports no plugin)", async () => {
    const text = edit(withPrompt, "num_virtual_tokens: 4", "num_virtual_tokens: eight")
    const issue = { path: "arms[1].num_virtual_tokens", expected: "a positive integer", found: '"eight"', ...positionOf(text, "eight") }
    expect(await issuesOf(text)).toStrictEqual([issue])
    const error = await Effect.runPromise(Effect.flip(checkNamesWithoutPlugins(await decodeSmall(text))))
    expect(error.detail).toBe(`arms[1].num_virtual_tokens: expected a positive integer, got "eight" (line ${issue.line}:${issue.column})`)
  })

  it("require init_text when a prompt arm's init is text", async () => {
    const text = edit(withPrompt, "    num_virtual_tokens: 4\n", "    num_virtual_tokens: 4\n    init: text\n")
    expect(await issuesOf(text)).toStrictEqual([
      { path: "arms[1].init_text", expected: "a non-empty text (required when init is text)", found: "nothing", ...positionOf(text, "name: prompt") },
    ])
    const fixed = edit(text, "    init: text\n", "    init: text\n    init_text: Answer yes or no.\n")
    expect((await decodedArms(fixed))[1]).toStrictEqual({ name: "prompt", kind: "prompt", num_virtual_tokens: 4, init: "text", init_text: "Answer yes or no.", unfreeze_base: false, group: "prompt", config: "prompt" })
  })

  it("decode unfreeze_base as written, and report a value of the wrong type at its field", async () => {
    const unfrozen = edit(withPrompt, "    num_virtual_tokens: 4\n", "    num_virtual_tokens: 4\n    unfreeze_base: true\n")
    expect((await decodedArms(unfrozen))[1]).toMatchObject({ kind: "prompt", unfreeze_base: true })
    const text = edit(withPrompt, "    num_virtual_tokens: 4\n", "    num_virtual_tokens: 4\n    unfreeze_base: 1\n")
    expect(await issuesOf(text)).toStrictEqual([{ path: "arms[1].unfreeze_base", expected: "true or false", found: "1", ...positionOf(text, "1\ntraining") }])
  })

  it("refuse an init_from that is not a non-empty text", async () => {
    const text = withArms('    init_from: ""\n')
    const location = "a PEFT adapter folder (with adapter_config.json) or a Hugging Face id (org/name)"
    expect(await issuesOf(text)).toStrictEqual([{ path: "arms[1].init_from", expected: location, found: '""', ...positionOf(text, '""') }])
  })

  it("refuse init_from beside prefix_projection, whose MLP a saved prefix does not hold", async () => {
    const text = withArms("  - name: prefix\n    kind: prefix\n    num_virtual_tokens: 4\n    prefix_projection: true\n    init_from: org/prefix\n")
    expect(await issuesOf(text)).toStrictEqual([
      {
        path: "arms[2].prefix_projection",
        expected: "false with init_from (a saved prefix holds its rows after the projection, not the projection's MLP)",
        found: "true",
        ...positionOf(text, "true\n    init_from"),
      },
    ])
  })

  it("check each swept value as the arm's own field, pointing at the value", async () => {
    const loraSweep = withArms("  - name: lora\n    kind: lora\n    r: 8\n    lora_alpha: 16\n    target_modules: [q_proj, v_proj]\n    sweep:\n      r: [8, 16]\n      training.lr: [0.0001, 0.0002]\n")
    const text = edit(loraSweep, "r: [8, 16]", "r: [8, -2]")
    const issues = await issuesOf(text)
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({ path: "arms[2].sweep.r[1]", expected: "a positive integer", found: "-2", ...positionOf(text, "-2]") })
    // A field the arm leaves to its default may be swept, as before; one the method does not have may not.
    expect((await decodedArms(edit(loraSweep, "r: [8, 16]", "lora_dropout: [0, 0.1]"))).map((arm) => arm.name)).toContain("lora-lora_dropout0.1-lr0.0002")
    const unknown = edit(loraSweep, "r: [8, 16]", "rank: [8]")
    expect(await issuesOf(unknown)).toStrictEqual([
      { path: "arms[2].sweep.rank", expected: "a field this arm sets, or training.<lr|epochs|batch_size|weight_decay|warmup_steps|gradient_accumulation|train_examples>", found: '"rank"', ...positionOf(unknown, "rank") },
    ])
  })

  it("are checked with the spec's own fields where the spec is read with the built-in methods: several problems at once, one line each in file order", async () => {
    let text = edit(withPrompt, "num_virtual_tokens: 4", "num_virtual_tokens: eight")
    text = edit(text, "seed: 3\ndata", "seed: -1\ndata")
    text = edit(text, "  mcnemar: false\n", "")
    const error = await Effect.runPromise(Effect.flip(decodeSpecText(text, "spec.yaml", {}, [], builtinMethodArmChecks)))
    const at = (needle: string) => {
      const { line, column } = positionOf(text, needle)
      return `(line ${line}:${column})`
    }
    expect(error.detail).toBe(
      [
        `seed: expected an integer >= 0, got -1 ${at("-1")}`,
        `arms[1].num_virtual_tokens: expected a positive integer, got "eight" ${at("eight")}`,
        `stats.mcnemar: expected true or false, got nothing ${at("baseline")}`,
      ].join("\n"),
    )
    // A method's rules come with the cross-field ones, its swept values with the other sweeps'.
    const rules = edit(edit(withPrompt, "    num_virtual_tokens: 4\n", "    num_virtual_tokens: 4\n    init: text\n"), "baseline: base", "baseline: bse")
    const both = await Effect.runPromise(Effect.flip(decodeSpecText(rules, "spec.yaml", {}, [], builtinMethodArmChecks)))
    expect(both.issues.map((issue) => issue.path)).toStrictEqual(["arms[1].init_text", "stats.baseline"])
  })
})
