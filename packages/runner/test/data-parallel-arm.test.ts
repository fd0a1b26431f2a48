// training.workers: an arm trained data-parallel on two worker threads (each rebuilding the run
// from the spec) ends where training on the main thread does: the same losses and the same
// adapter, to float32 rounding (1e-4 relative; the workers sum gradients in another order). The
// scale of that rounding is the larger of a tensor's values and the distance AdamW can move an
// element, lr per step whatever its gradient's size: a gradient component summed to near zero
// carries a large relative error into its normalised update.
// Its test pass runs on the workers too, and predicts what the main thread predicts.
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { readPeftAdapter } from "@peftlab/adapters-base"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events, type RunEvent } from "@peftlab/core"
import { pubmedqaFile, stories260kDir } from "@peftlab/quickstart-assets"
import { adapterFolder, armResultFile, runExperiment, specRegistryLayer } from "../src/index.ts"
import { decodeSmall, edit, smallSpec } from "./fixtures.ts"

const specText = (workers: number) => {
  let text = edit(smallSpec, "path: data.json", `path: ${pubmedqaFile}\n  limit: { train: 12, val: 4, test: 4 }`)
  text = edit(text, "path: model", `path: ${stories260kDir}`)
  text = edit(text, "    kind: base\n", "    kind: base\n  - name: lora\n    kind: lora\n    r: 4\n    lora_alpha: 8\n    lora_dropout: 0\n    target_modules: [q_proj, v_proj]\n  - name: soft\n    kind: prompt\n    num_virtual_tokens: 3\n  - name: prefix\n    kind: prefix\n    num_virtual_tokens: 2\n    prefix_projection: true\n    encoder_hidden_size: 16\n")
  // Batches of 3 over 2 workers: each step's batch is cut 2 + 1.
  text = edit(text, "  batch_size: 2\n", `  batch_size: 3\n  epochs: 2\n  workers: ${workers}\n`)
  // lr 0.01: at the fixture's 0.1, AdamW's steps amplify the workers' rounding past any fixed bound.
  return edit(edit(edit(text, "  epochs: 1\n", ""), "max_length: 64", "max_length: 160"), "lr: 0.1", "lr: 0.01")
}

const trainedRun = async (workers: number) => {
  const outDir = mkdtempSync(join(tmpdir(), `peftlab-workers-${workers}-`))
  const events: Array<RunEvent> = []
  const recorded = Layer.succeed(Events, { emit: (event) => Effect.sync(() => void events.push(event)) })
  const loaded = await decodeSmall(specText(workers))
  await Effect.runPromise(runExperiment(loaded, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), recorded, specRegistryLayer(loaded)))))
  return { outDir, events }
}

const predictionsOf = (outDir: string, arm: string) =>
  (JSON.parse(readFileSync(armResultFile(outDir, arm), "utf8")) as { predictions: Array<{ id: string; pred: string; score: number }> }).predictions

// lr times the steps: 12 training examples in batches of 3, 2 epochs.
const adamReach = 0.01 * 4 * 2

describe("training.workers on stories260k", () => {
  it("trains each arm on two workers to the adapter one thread trains", async () => {
    const [single, parallel] = [await trainedRun(1), await trainedRun(2)]
    for (const arm of ["lora", "soft", "prefix"]) {
      const [want, got] = await Promise.all([single.outDir, parallel.outDir].map((dir) => Effect.runPromise(readPeftAdapter(adapterFolder(dir, arm)))))
      expect([...got!.tensors.keys()].sort(), arm).toEqual([...want!.tensors.keys()].sort())
      for (const [name, tensor] of want!.tensors) {
        const values = got!.tensors.get(name)!.data
        const scale = Math.max(...tensor.data.map(Math.abs), adamReach)
        tensor.data.forEach((v, i) => expect(Math.abs((values[i] as number) - v), `${arm} ${name}[${i}]`).toBeLessThanOrEqual(1e-4 * scale))
      }
    }
    // Every arm's test pass on the two workers: the frozen base's scores exactly, the trained
    // arms' to their adapters' rounding; each example once, in test order.
    // The prefix's workers fold its projection as the main thread does before they test.
    for (const arm of ["base", "lora", "soft", "prefix"]) {
      const evaluating = (events: ReadonlyArray<RunEvent>) => events.find((e) => e.type === "arm-phase" && e.arm === arm && e.phase === "evaluating")
      expect(evaluating(parallel.events), arm).toMatchObject({ detail: "on 2 workers" })
      expect(evaluating(single.events), arm).not.toHaveProperty("detail")
      const [want, got] = [predictionsOf(single.outDir, arm), predictionsOf(parallel.outDir, arm)]
      expect(got.map((p) => [p.id, p.pred]), arm).toEqual(want.map((p) => [p.id, p.pred]))
      got.forEach((p, i) => expect(Math.abs(p.score - want[i]!.score), `${arm} ${p.id}`).toBeLessThanOrEqual(arm === "base" ? 0 : 1e-4))
    }
  }, 120_000)
})
