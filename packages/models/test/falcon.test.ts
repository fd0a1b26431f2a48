// Falcon (HF FalconForCausalLM) against transformers itself: each golden case's tiny checkpoint,
// written by peftlab from its seed, gives the logits transformers computed for it
// (goldens/falcon-transformers.json) within 1e-4, a left-padded row included; ALiBi past 256
// positions too, where transformers' bfloat16 rounding shows. Where .ci/run has made the goldens
// venv, transformers runs live on the same checkpoints as well. The config decodes as
// FalconConfig does, and what peftlab does not implement is refused by field.
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { goldensPython, transformersLogits } from "@peftlab/references"
import { Effect, Result } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { architectureFor, loadCausalLM, writeRandomCheckpoint } from "../src/index.ts"
import { falconCases, keptPositions, type FalconGoldens, type GoldenCase } from "./goldens/falcon-cases.ts"

const tolerance = 1e-4
const goldens = JSON.parse(readFileSync(join(import.meta.dirname, "goldens", "falcon-transformers.json"), "utf8")) as FalconGoldens
const dirs = new Map<string, string>()

const maxAbsDiff = (a: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>, b: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>): number =>
  Math.max(...a.flatMap((row, i) => row.flatMap((values, t) => values.map((v, k) => Math.abs(v - (b[i]?.[t]?.[k] ?? Number.NaN))))))

const peftlabLogits = async (golden: GoldenCase): Promise<number[][][]> => {
  const model = await Effect.runPromise(loadCausalLM(dirs.get(golden.name)!))
  const logits = tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d(golden.ids as number[][], undefined, "int32")), attentionMask: tf.tensor2d(golden.mask as number[][], undefined, "int32") }))
  const values = (await logits.array()) as number[][][]
  logits.dispose()
  model.dispose()
  return values
}

beforeAll(async () => {
  await cpu.setup()
  for (const golden of falconCases) {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-falcon-"))
    await Effect.runPromise(writeRandomCheckpoint(dir, golden.config, golden.seed))
    dirs.set(golden.name, dir)
  }
})

describe("falcon against transformers", () => {
  it("the fixture holds every case, computed by transformers", () => {
    expect(goldens.cases.map((c) => c.name)).toEqual(falconCases.map((c) => c.name))
    expect(goldens.transformers).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it.each(falconCases.map((golden, i) => [golden.name, golden, i] as const))(`%s: logits within ${tolerance} of transformers'`, async (_, golden, i) => {
    const ours = keptPositions(await peftlabLogits(golden), golden.keep)
    const theirs = goldens.cases[i]!.logits
    // The fixture's logits are not small: a difference of 1e-4 is one in thousands of their spread.
    expect(Math.max(...theirs.flat(2).map(Math.abs))).toBeGreaterThan(0.1)
    expect(maxAbsDiff(ours, theirs)).toBeLessThan(tolerance)
  })

  const python = goldensPython()
  it.runIf(python !== undefined)("live: transformers on the same checkpoints gives the fixture's logits", async () => {
    const answer = await transformersLogits(python!, falconCases.map((golden) => ({ dir: dirs.get(golden.name)!, ids: golden.ids, mask: golden.mask })))
    falconCases.forEach((golden, i) => {
      expect(maxAbsDiff(keptPositions(answer.cases[i]!.logits, golden.keep), goldens.cases[i]!.logits)).toBeLessThan(1e-5)
    })
  }, 120_000)
})

describe("falcon config.json", () => {
  const decode = (json: Record<string, unknown>) => architectureFor("falcon")!.decodeConfig(json)
  // tiiuae/falcon-rw-1b's config.json as the hub has it.
  const falconRw1b = {
    alibi: true,
    apply_residual_connection_post_layernorm: false,
    architectures: ["FalconForCausalLM"],
    attention_dropout: 0.0,
    bias: true,
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_dropout: 0.0,
    hidden_size: 2048,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: "falcon",
    multi_query: false,
    new_decoder_architecture: false,
    num_attention_heads: 32,
    num_hidden_layers: 24,
    parallel_attn: false,
    torch_dtype: "bfloat16",
    transformers_version: "4.27.4",
    use_cache: true,
    vocab_size: 50304,
  }

  it("Falcon-RW-1B's: ALiBi, 32 full heads of 64, sequential layers, a tied head, 2048 positions", () => {
    const config = Result.getOrThrow(decode(falconRw1b))
    expect(config).toMatchObject({ alibi: true, num_attention_heads: 32, num_key_value_heads: 32, head_dim: 64, ffn_hidden_size: 8192, layerForm: "sequential", qkvLayout: "interleaved", tie_word_embeddings: true, max_position_embeddings: 2048, bias: true })
  })

  it("FalconConfig's defaults are Falcon-7B's: rotary, one key/value head, parallel attention", () => {
    const config = Result.getOrThrow(decode({ model_type: "falcon" }))
    expect(config).toMatchObject({ hidden_size: 4544, num_attention_heads: 71, num_key_value_heads: 1, head_dim: 64, alibi: false, layerForm: "parallel", qkvLayout: "multi-query", vocab_size: 65024 })
  })

  it.each([
    [{ rope_scaling: { type: "linear", factor: 2 } }, "rope_scaling"],
    [{ hidden_dropout: 0.1 }, "hidden_dropout"],
    [{ activation: "relu" }, "activation"],
    [{ new_decoder_architecture: true, parallel_attn: false }, "parallel_attn"],
    [{ parallel_attn: true, num_ln_in_parallel_attn: 2 }, "num_ln_in_parallel_attn"],
    [{ new_decoder_architecture: true, num_attention_heads: 6, hidden_size: 24, num_kv_heads: 4 }, "num_kv_heads"],
  ])("refuses %j, naming %s", (fields, field) => {
    const decoded = decode({ ...falconRw1b, ...fields })
    expect(Result.isFailure(decoded)).toBe(true)
    expect(Result.isFailure(decoded) && decoded.failure).toContain(field)
  })
})
