import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { isInputError } from "@peftlab/core"
import { Registry } from "@peftlab/plugin-api"
import { armKindNames, builtinRegistry, builtinRegistryLayer, checkRegisteredNames, ownArmKinds } from "../src/index.ts"
import { decodeSmall, edit, positionOf, smallSpec } from "./fixtures.ts"

const issuesOf = async (text: string, registry = builtinRegistry()) => {
  const error = await Effect.runPromise(Effect.flip(checkRegisteredNames(await decodeSmall(text)).pipe(Effect.provideService(Registry, registry))))
  expect(isInputError(error)).toBe(true)
  return error.issues
}

const metricNames = "accuracy, macro_f1, per_class_f1, latency, trainable_params, balanced_accuracy, roc_auc, ece"

describe("builtinRegistry", () => {
  it("holds every built-in data kind, arm kind, metric, reporter and backend", () => {
    const registry = builtinRegistry()
    expect(registry.names("datasets")).toStrictEqual(["pubmedqa", "csv", "tsv", "jsonl", "medquad", "bio", "jsonl-spans"])
    expect(registry.categories).toStrictEqual(["datasets", "methods", "metrics", "reporters", "backends"])
    // The spec's own arm kinds are the runner's, outside the registry.
    expect(Object.keys(ownArmKinds)).toStrictEqual(["base", "fine-tune", "adapter"])
    // The built-in methods, in the order their peft_types are listed (LORA, PROMPT_TUNING, PREFIX_TUNING, P_TUNING).
    expect(registry.names("methods")).toStrictEqual(["lora", "prompt", "prefix", "p-tuning"])
    expect(armKindNames(registry)).toStrictEqual(["base", "fine-tune", "prompt", "prefix", "p-tuning", "lora", "adapter"])
    expect(registry.names("metrics")).toStrictEqual(["accuracy", "macro_f1", "balanced_accuracy", "roc_auc", "ece"])
    expect(registry.names("reporters")).toStrictEqual(["results", "stats", "train_log", "selection", "figures", "report", "html", "tensorboard", "mlflow"])
    expect(registry.names("backends")).toStrictEqual(["cpu", "wasm", "native", "webgpu", "tfjs-node", "tfjs-node-gpu"])
  })

  it("is fresh on every call, so one spec's plugins never reach another's registry", () => {
    const first = builtinRegistry()
    first.add("metrics", { name: "positive_recall", compute: () => Effect.succeed(1) })
    expect(builtinRegistry().has("metrics", "positive_recall")).toBe(false)
  })

  it("is fresh in every run its layer is provided to", async () => {
    const addOne = Effect.gen(function* () {
      const registry = yield* Registry
      registry.add("metrics", { name: "positive_recall", compute: () => Effect.succeed(1) })
      return registry.names("metrics").length
    })
    expect(await Effect.runPromise(addOne.pipe(Effect.provide(builtinRegistryLayer)))).toBe(6)
    expect(await Effect.runPromise(addOne.pipe(Effect.provide(builtinRegistryLayer)))).toBe(6)
  })
})

describe("checkRegisteredNames", () => {
  it("accepts a spec whose names are all registered", async () => {
    const loaded = await decodeSmall(edit(smallSpec, "[accuracy, macro_f1]", "[accuracy, per_class_f1, balanced_accuracy, ece]"))
    await Effect.runPromise(checkRegisteredNames(loaded).pipe(Effect.provide(builtinRegistryLayer)))
  })

  it("lists the registered names for an unknown data kind, backend or metric, at the value's line:column", async () => {
    let text = edit(smallSpec, "kind: pubmedqa", "kind: notes")
    text = edit(text, "seed: 3\n", "seed: 3\nbackend: cuda\n")
    text = edit(text, "[accuracy, macro_f1]", "[accuracy, f1]")
    expect(await issuesOf(text)).toStrictEqual([
      { path: "backend", expected: "one of cpu, wasm, native, webgpu, tfjs-node, tfjs-node-gpu", found: '"cuda"', ...positionOf(text, "cuda") },
      { path: "data.kind", expected: "one of pubmedqa, csv, tsv, jsonl, medquad, bio, jsonl-spans", found: '"notes"', ...positionOf(text, "notes") },
      { path: "evaluation.metrics[1]", expected: `one of ${metricNames}`, found: '"f1"', ...positionOf(text, "f1]") },
    ])
  })

  it("names what a plugin registered among the choices", async () => {
    const registry = builtinRegistry()
    registry.add("metrics", { name: "positive_recall", compute: () => Effect.succeed(1) })
    const text = edit(smallSpec, "[accuracy, macro_f1]", "[positive_recal]")
    const [issue] = await issuesOf(text, registry)
    expect(issue).toMatchObject({ path: "evaluation.metrics[0]", expected: `one of ${metricNames}, positive_recall`, found: '"positive_recal"' })
  })

  it("wants the fields a file kind maps, and refuses fields the kind does not read", async () => {
    const csv = edit(smallSpec, "kind: pubmedqa", "kind: csv\n  fields: { question: title }")
    expect(await issuesOf(csv)).toStrictEqual([
      { path: "data.fields.context", expected: "a source field name (data.kind csv needs fields context, label)", found: "nothing", ...positionOf(csv, "{ question") },
      { path: "data.fields.label", expected: "a source field name (data.kind csv needs fields context, label)", found: "nothing", ...positionOf(csv, "{ question") },
    ])
    const pubmedqa = edit(smallSpec, "kind: pubmedqa", "kind: pubmedqa\n  fields: { id: pmid }")
    expect(await issuesOf(pubmedqa)).toStrictEqual([
      { path: "data.fields.id", expected: "no such field for data.kind pubmedqa (it reads question, context, label)", found: '"pmid"', ...positionOf(pubmedqa, "id: pmid") },
    ])
  })

  it("refuses metrics that need label scores when the answers are generated", async () => {
    let text = edit(smallSpec, "mode: label-score", "mode: generate\n  max_new_tokens: 2")
    text = edit(text, "[accuracy, macro_f1]", "[accuracy, roc_auc]")
    expect(await issuesOf(text)).toStrictEqual([
      { path: "evaluation.metrics[1]", expected: "a metric that needs no label scores (evaluation.mode generate gives none)", found: '"roc_auc"', ...positionOf(text, "roc_auc") },
    ])
  })
})
