// Writing checkpoints as the hub ships them: bf16/f16 shards with their index, streamed one
// tensor at a time. Files are read back with a small header parser of this test's own, so the
// checks do not lean on the package's reader.
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  architectureFor,
  parseFileSize,
  planShards,
  randomParameters,
  writeCheckpointWeights,
  writeRandomCheckpoint,
  writeRandomCheckpointFiles,
  writeSafetensorsStreaming,
  type ModelFileError,
} from "../src/index.ts"
import { bfloat16FromFloat32Bits, halfFromFloat32Bits } from "../src/safetensors/encode-dtype.ts"
import { tinyConfig } from "./random-checkpoint.ts"

const tempDir = () => mkdtempSync(join(tmpdir(), "peftlab-checkpoint-writing-"))
const repoRoot = resolve(import.meta.dirname, "../../..")

interface Entry {
  readonly dtype: string
  readonly shape: Array<number>
  readonly data_offsets: [number, number]
}

/** A safetensors file taken apart: header length, header JSON (entries in file order), data section. */
const parseFile = (path: string) => {
  const bytes = readFileSync(path)
  const headerLength = Number(bytes.readBigUInt64LE(0))
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8")) as Record<string, unknown>
  const { __metadata__: metadata, ...tensors } = header
  return { headerLength, metadata, tensors: tensors as Record<string, Entry>, data: bytes.subarray(8 + headerLength) }
}

const halves = (data: Uint8Array, [begin, end]: [number, number]): Array<number> =>
  Array.from({ length: (end - begin) / 2 }, (_, i) => data[begin + 2 * i]! | (data[begin + 2 * i + 1]! << 8))

const float32Bits = (values: Float32Array): Uint32Array => new Uint32Array(values.buffer, values.byteOffset, values.length)

/** The ModelFileError a write fails with. */
const failure = <A>(write: Effect.Effect<A, ModelFileError>): Promise<ModelFileError> => Effect.runPromise(Effect.flip(write))

const numel = (shape: ReadonlyArray<number>) => shape.reduce((a, b) => a * b, 1)

describe("huggingface_hub's shard split", () => {
  const sizes = (bytes: ReadonlyArray<number>) => bytes.map((b, i) => ({ name: `t${i}`, shape: [b / 4] }))
  const layout = (bytes: ReadonlyArray<number>, limit?: number) =>
    planShards(sizes(bytes), "F32", limit).map(({ file, tensors }) => [file, tensors.map((t) => t.name).join(",")])

  it("follows its docstring example: [6, 6, 2, 6, 2, 2] under 10 is [6], [6+2], [6+2+2]", () => {
    expect(layout([24, 24, 8, 24, 8, 8], 40)).toEqual([
      ["model-00001-of-00003.safetensors", "t0"],
      ["model-00002-of-00003.safetensors", "t1,t2"],
      ["model-00003-of-00003.safetensors", "t3,t4,t5"],
    ])
  })
  it("gives an oversized tensor its own shard, before the shard it interrupts", () => {
    expect(layout([8, 48, 12, 24], 40)).toEqual([
      ["model-00001-of-00003.safetensors", "t1"],
      ["model-00002-of-00003.safetensors", "t0,t2"],
      ["model-00003-of-00003.safetensors", "t3"],
    ])
  })
  it("writes one model.safetensors when everything fits, or without a limit", () => {
    expect(layout([24, 16], 40)).toEqual([["model.safetensors", "t0,t1"]])
    expect(layout([24, 16])).toEqual([["model.safetensors", "t0,t1"]])
  })
})

describe("a random checkpoint in bf16 shards", () => {
  const seed = 3
  const architecture = architectureFor("llama")!
  const decoded = architecture.decodeConfig(tinyConfig)
  if (decoded._tag !== "Success") throw new Error("tinyConfig does not decode")
  const drawn = randomParameters(architecture, decoded.success, seed)
  const totalBytes = [...drawn.values()].reduce((n, t) => n + 2 * t.data.length, 0)

  it("writes shards, an index and values rounded from randomParameters' draws", async () => {
    const dir = tempDir()
    const maxShardBytes = 4000
    const { parameters, files } = await Effect.runPromise(writeRandomCheckpointFiles(dir, tinyConfig, seed, { dtype: "BF16", maxShardBytes }))
    expect(parameters).toBe([...drawn.values()].reduce((n, t) => n + t.data.length, 0))
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))
    expect(config).toEqual({ ...tinyConfig, torch_dtype: "bfloat16" })

    const indexText = readFileSync(join(dir, "model.safetensors.index.json"), "utf8")
    const index = JSON.parse(indexText) as { metadata: Record<string, number>; weight_map: Record<string, string> }
    // As save_pretrained writes it: json.dumps(index, indent=2, sort_keys=True) + "\n".
    expect(Object.keys(index)).toEqual(["metadata", "weight_map"])
    expect(Object.keys(index.weight_map)).toEqual(Object.keys(index.weight_map).sort())
    expect(indexText).toBe(`${JSON.stringify(index, null, 2)}\n`)
    expect(index.metadata).toEqual({ total_parameters: parameters, total_size: totalBytes })
    expect(new Set(Object.keys(index.weight_map))).toEqual(new Set(drawn.keys()))

    const shardFiles = [...new Set(Object.values(index.weight_map))].sort()
    expect(shardFiles.length).toBeGreaterThanOrEqual(3)
    expect(shardFiles).toEqual(shardFiles.map((_, i) => `model-${String(i + 1).padStart(5, "0")}-of-${String(shardFiles.length).padStart(5, "0")}.safetensors`))
    expect(files).toEqual([join(dir, "config.json"), ...shardFiles.map((f) => join(dir, f)), join(dir, "model.safetensors.index.json")])
    expect(readdirSync(dir).sort()).toEqual(["config.json", "model.safetensors.index.json", ...shardFiles].sort())

    const seen: Array<string> = []
    for (const file of shardFiles) {
      const { headerLength, metadata, tensors, data } = parseFile(join(dir, file))
      expect(metadata).toEqual({ format: "pt" })
      expect(headerLength % 8).toBe(0)
      let offset = 0
      let shardBytes = 0
      for (const [name, entry] of Object.entries(tensors)) {
        const expected = drawn.get(name)!
        expect(index.weight_map[name]).toBe(file)
        expect(entry.dtype).toBe("BF16")
        expect(entry.shape).toEqual([...expected.shape])
        expect(entry.data_offsets).toEqual([offset, offset + 2 * expected.data.length])
        offset = entry.data_offsets[1]
        shardBytes += 2 * expected.data.length
        expect(halves(data, entry.data_offsets)).toEqual(Array.from(float32Bits(expected.data), bfloat16FromFloat32Bits))
        seen.push(name)
      }
      expect(data.length).toBe(offset)
      // HF's rule: a shard over the limit holds one oversized tensor.
      if (shardBytes > maxShardBytes) expect(Object.keys(tensors)).toHaveLength(1)
    }
    expect(seen.sort()).toEqual([...drawn.keys()].sort())
  })

  it("writes f32 in one file byte for byte as writeRandomCheckpoint does", async () => {
    const [a, b] = [tempDir(), tempDir()]
    await Effect.runPromise(writeRandomCheckpoint(a, tinyConfig, seed))
    const { files } = await Effect.runPromise(writeRandomCheckpointFiles(b, tinyConfig, seed))
    expect(files).toEqual([join(b, "config.json"), join(b, "model.safetensors")])
    expect(readFileSync(join(b, "model.safetensors")).equals(readFileSync(join(a, "model.safetensors")))).toBe(true)
    expect(JSON.parse(readFileSync(join(b, "config.json"), "utf8")).torch_dtype).toBe("float32")
  })

  it("replaces an earlier layout in the folder, keeping other files", async () => {
    const dir = tempDir()
    writeFileSync(join(dir, "tokenizer.json"), "{}")
    const weightFiles = () => readdirSync(dir).filter((f) => f.startsWith("model")).sort()
    await Effect.runPromise(writeRandomCheckpointFiles(dir, tinyConfig, seed, { dtype: "BF16", maxShardBytes: 2000 }))
    const many = weightFiles()
    await Effect.runPromise(writeRandomCheckpointFiles(dir, tinyConfig, seed, { dtype: "BF16", maxShardBytes: 8000 }))
    const fewer = weightFiles()
    expect(fewer.length).toBeLessThan(many.length)
    expect(fewer.every((f) => f === "model.safetensors.index.json" || f.endsWith(`-of-${String(fewer.length - 1).padStart(5, "0")}.safetensors`))).toBe(true)
    await Effect.runPromise(writeRandomCheckpointFiles(dir, tinyConfig, seed, { dtype: "F16" }))
    expect(weightFiles()).toEqual(["model.safetensors"])
    expect(existsSync(join(dir, "tokenizer.json"))).toBe(true)
    const { metadata, tensors, data } = parseFile(join(dir, "model.safetensors"))
    // save_pretrained's metadata in a single file too: transformers 4.4x refuses a file without it.
    expect(metadata).toEqual({ format: "pt" })
    const embed = tensors["model.embed_tokens.weight"]!
    expect(embed.dtype).toBe("F16")
    expect(halves(data, embed.data_offsets)).toEqual(Array.from(float32Bits(drawn.get("model.embed_tokens.weight")!.data), halfFromFloat32Bits))
  })
})

describe("writeSafetensorsStreaming", () => {
  const tensors = [
    { name: "a", shape: [2, 3] },
    { name: "b", shape: [4] },
  ]
  it("fills tensors one at a time, in order", async () => {
    const path = join(tempDir(), "x.safetensors")
    const calls: Array<string> = []
    await Effect.runPromise(
      writeSafetensorsStreaming(path, tensors, "BF16", (name, shape) => {
        calls.push(name)
        return Float32Array.from({ length: numel(shape) }, (_, i) => i + (name === "b" ? 0.5 : 0))
      }),
    )
    expect(calls).toEqual(["a", "b"])
    const { tensors: entries, data } = parseFile(path)
    expect(entries).toEqual({ a: { dtype: "BF16", shape: [2, 3], data_offsets: [0, 12] }, b: { dtype: "BF16", shape: [4], data_offsets: [12, 20] } })
    expect(halves(data, [12, 20])).toEqual([0x3f00, 0x3fc0, 0x4020, 0x4060])
  })
  it("fails naming the file on a fill of the wrong length, leaving nothing behind", async () => {
    const dir = tempDir()
    const path = join(dir, "x.safetensors")
    const error = await failure(writeSafetensorsStreaming(path, tensors, "F32", (_, shape) => new Float32Array(numel(shape) + 1)))
    expect(error._tag).toBe("ModelFileError")
    expect(error.source).toBe(path)
    expect(error.detail).toContain(`tensor "a"`)
    expect(readdirSync(dir)).toEqual([])
  })
  it("fails naming the file when it cannot be written", async () => {
    const dir = tempDir()
    writeFileSync(join(dir, "plain-file"), "")
    const path = join(dir, "plain-file", "x.safetensors")
    const error = await failure(writeSafetensorsStreaming(path, tensors, "F32", (_, shape) => new Float32Array(numel(shape))))
    expect(error.source).toBe(path)
    expect(error.detail).toMatch(/^cannot /)
  })
  it("checkpoint writing fails naming the shard whose fill is wrong", async () => {
    const dir = tempDir()
    const error = await failure(
      writeCheckpointWeights(dir, tensors, "F32", (name, shape) => new Float32Array(numel(shape) - (name === "b" ? 1 : 0)), { maxShardBytes: 24 }),
    )
    expect(error.source).toBe(join(dir, "model-00002-of-00002.safetensors"))
    expect(readdirSync(dir)).toEqual([])
  })
})

describe("parseFileSize (transformers' convert_file_size_to_int)", () => {
  it("reads HF sizes and plain byte counts", () => {
    expect(["5GB", "500MB", "2GiB", "10KiB", "3MiB", "1000", "5Gb", "1kb", "0.5GB"].map(parseFileSize)).toEqual([
      5e9, 5e8, 2 * 2 ** 30, 10240, 3 * 2 ** 20, 1000, 625e6, 125, 5e8,
    ])
  })
  it("refuses anything else", () => {
    expect(["", "GB", "-5MB", "0", "0MB", "5 XB", "1.5", "five"].map(parseFileSize)).toEqual(Array(8).fill(undefined))
  })
})

describe("npm run checkpoint", () => {
  const tool = (...args: Array<string>) =>
    spawnSync(process.execPath, ["tools/checkpoints/make-checkpoint.ts", ...args], { cwd: repoRoot, encoding: "utf8" })
  const configFile = () => {
    const path = join(tempDir(), "config.json")
    writeFileSync(path, JSON.stringify(tinyConfig))
    return path
  }

  it("writes bf16 shards and prints the files", () => {
    const out = tempDir()
    const run = tool("--config", configFile(), "--out", out, "--dtype", "bf16", "--max-shard-size", "4KB")
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
    expect(run.stdout).toContain(`wrote ${join(out, "model.safetensors.index.json")}`)
    expect(run.stdout).toContain(`wrote ${join(out, "model-00001-of-")}`)
  })
  it.each([
    ["--dtype", "f64", "--dtype: expected f32, bf16 or f16, got f64"],
    ["--max-shard-size", "lots", "--max-shard-size: expected a positive size"],
    ["--max-shard-size", "0", "--max-shard-size: expected a positive size"],
  ])("refuses %s %s with exit 2", (flag, value, message) => {
    const out = tempDir()
    const run = tool("--config", configFile(), "--out", out, flag, value)
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(message)
    expect(readdirSync(out)).toEqual([])
  })
})

describe("memory", () => {
  // 58.8M parameters: 235 MB in f32, its largest tensor 16 MB. Writing it whole would grow the
  // peak by the model size at least; streaming it grows by about 50 MB (one tensor plus
  // garbage not yet collected).
  const config = { ...tinyConfig, hidden_size: 512, intermediate_size: 1376, num_hidden_layers: 16, num_attention_heads: 8, num_key_value_heads: 8, head_dim: 64, vocab_size: 8000 }
  it("writing does not hold the whole model", () => {
    const out = tempDir()
    const run = spawnSync(process.execPath, [join(import.meta.dirname, "peak-rss-child.ts"), JSON.stringify(config), out, "F32"], { encoding: "utf8" })
    expect(run.stderr).toBe("")
    const { before, after, parameters } = JSON.parse(run.stdout) as { before: number; after: number; parameters: number }
    const modelKiB = (parameters * 4) / 1024
    expect(modelKiB).toBeGreaterThan(200 * 1024)
    expect(after - before).toBeLessThan(modelKiB / 3)
  })
})
