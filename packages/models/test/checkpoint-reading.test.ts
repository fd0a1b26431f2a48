// Checkpoints as the hub ships them: sharded through model.safetensors.index.json, files past
// 2 GiB (read at offsets, never whole), and dtypes beside the weights that peftlab does not
// read as values (an I64 buffer): ignored when the model does not use them, refused by name
// when it does; a pickle-only folder is refused by name.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, ftruncateSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadCausalLM, openSafetensors, writeSafetensors, type Float32Tensor } from "../src/index.ts"
import { writeRandomCheckpoint } from "./random-checkpoint.ts"

/** A safetensors file assembled by hand: header JSON (padded to 8 bytes), then `data`. */
const rawSafetensors = (path: string, header: Record<string, unknown>, data: Uint8Array): void => {
  const json = Buffer.from(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8, " "))
  const prefix = Buffer.alloc(8)
  prefix.writeBigUInt64LE(BigInt(json.length))
  writeFileSync(path, Buffer.concat([prefix, json, data]))
}

/** The checkpoint's tensors split over `shards` files in name order, with the index transformers writes. */
const shard = async (dir: string, weights: ReadonlyMap<string, Float32Tensor>, shards: number): Promise<void> => {
  const names = [...weights.keys()]
  const per = Math.ceil(names.length / shards)
  const weightMap: Record<string, string> = {}
  for (let i = 0; i < shards; i++) {
    const file = `model-${String(i + 1).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}.safetensors`
    const part = new Map(names.slice(i * per, (i + 1) * per).map((name) => [name, weights.get(name)!]))
    for (const name of part.keys()) weightMap[name] = file
    await Effect.runPromise(writeSafetensors(join(dir, file), part, { format: "pt" }))
  }
  const totalSize = [...weights.values()].reduce((sum, t) => sum + t.data.byteLength, 0)
  writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2))
  rmSync(join(dir, "model.safetensors"))
}

const logitsOf = async (dir: string): Promise<number[]> => {
  const model = await Effect.runPromise(loadCausalLM(dir))
  try {
    return tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([[1, 5, 9, 3]], undefined, "int32")) }).flatten().arraySync() as number[])
  } finally {
    model.dispose()
  }
}

const loadError = (dir: string) => Effect.runPromise(Effect.flip(loadCausalLM(dir)))

describe("sharded checkpoints", () => {
  it("load through model.safetensors.index.json to the same model as one file", async () => {
    const single = await writeRandomCheckpoint({ seed: 7 })
    const sharded = await writeRandomCheckpoint({ seed: 7 })
    await shard(sharded.dir, sharded.weights, 3)
    const before = tf.memory().numTensors
    expect(await logitsOf(sharded.dir)).toStrictEqual(await logitsOf(single.dir))
    expect(tf.memory().numTensors).toBe(before)
  })

  it("name the index and the shard or tensor at fault", async () => {
    const { dir, weights } = await writeRandomCheckpoint()
    await shard(dir, weights, 2)
    const index = join(dir, "model.safetensors.index.json")
    rmSync(join(dir, "model-00002-of-00002.safetensors"))
    expect(await loadError(dir)).toMatchObject({ source: index, detail: `names shard "model-00002-of-00002.safetensors", which is not in ${dir}` })

    writeFileSync(index, JSON.stringify({ weight_map: { "model.embed_tokens.weight": "model-00001-of-00002.safetensors", "lm_head.weight": "model-00001-of-00002.safetensors" } }))
    expect((await loadError(dir)).detail).toBe('says tensor "lm_head.weight" is in model-00001-of-00002.safetensors, but that file has no such tensor')

    writeFileSync(index, JSON.stringify({ weight_map: { "model.embed_tokens.weight": "../elsewhere.safetensors" } }))
    expect((await loadError(dir)).detail).toBe('field "weight_map.model.embed_tokens.weight": expected a file name in the model folder, got "../elsewhere.safetensors"')

    writeFileSync(index, JSON.stringify({ weights: {} }))
    expect((await loadError(dir)).detail).toMatch(/^field "weight_map": Missing key/)
  })

  it("are refused by name when only a PyTorch pickle is there", async () => {
    const { dir } = await writeRandomCheckpoint()
    rmSync(join(dir, "model.safetensors"))
    writeFileSync(join(dir, "pytorch_model.bin"), "not read")
    expect(await loadError(dir)).toMatchObject({ source: dir, detail: expect.stringMatching(/^has pytorch_model\.bin \(PyTorch pickle\) but no model\.safetensors or model\.safetensors\.index\.json: peftlab reads only safetensors weights and never opens a pickle \(loading one runs its code\); convert them/) })
  })
})

describe("dtypes beside the weights", () => {
  it("skips an unused I64 buffer, and names a model tensor stored in a dtype peftlab does not read", async () => {
    const { dir, weights } = await writeRandomCheckpoint({ seed: 2 })
    const expected = await logitsOf(dir)
    // The weights as written, plus an I64 buffer the model does not use (as BERT's position_ids).
    const tensors = [...weights]
    const header: Record<string, unknown> = {}
    const parts: Array<Uint8Array> = []
    let offset = 0
    for (const [name, { shape, data }] of tensors) {
      header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + data.byteLength] }
      parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      offset += data.byteLength
    }
    header["model.position_ids"] = { dtype: "I64", shape: [1, 4], data_offsets: [offset, offset + 32] }
    parts.push(new Uint8Array(new BigInt64Array([0n, 1n, 2n, 3n]).buffer))
    rawSafetensors(join(dir, "model.safetensors"), header, Buffer.concat(parts))
    expect(await logitsOf(dir)).toStrictEqual(expected)

    const [firstName, first] = tensors[0]!
    header[firstName] = { dtype: "I32", shape: first.shape, data_offsets: (header[firstName] as { data_offsets: [number, number] }).data_offsets }
    rawSafetensors(join(dir, "model.safetensors"), header, Buffer.concat(parts))
    expect(await loadError(dir)).toMatchObject({ source: join(dir, "model.safetensors"), detail: `tensor "${firstName}" is I32; peftlab reads model weights stored as F32, F16, BF16` })
  })

  it("refuses a dtype the safetensors format does not have, naming it", async () => {
    const { dir } = await writeRandomCheckpoint()
    rawSafetensors(join(dir, "model.safetensors"), { w: { dtype: "Q4_K", shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2))
    expect((await loadError(dir)).detail).toMatch(/^tensor "w": field "dtype": Expected .*"BF16".*, got "Q4_K"/)
  })
})

describe("files past 2 GiB", () => {
  it("open and read a tensor at an offset beyond 2^31 without reading the file whole", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "peftlab-large-")), "model.safetensors")
    // A sparse file: 2 GiB + 8 bytes of U8 padding (never read), then four float32 values.
    const pad = 2 ** 31 + 8
    const header = { pad: { dtype: "U8", shape: [pad], data_offsets: [0, pad] }, w: { dtype: "F32", shape: [4], data_offsets: [pad, pad + 16] } }
    rawSafetensors(path, header, new Uint8Array(0))
    const fd = openSync(path, "r+")
    try {
      const headerBytes = 8 + Math.ceil(JSON.stringify(header).length / 8) * 8
      ftruncateSync(fd, headerBytes + pad + 16)
      writeSync(fd, new Uint8Array(Float32Array.from([1.5, -2, 3.25, 1e-8]).buffer), 0, 16, headerBytes + pad)
    } finally {
      closeSync(fd)
    }
    const w = await Effect.runPromise(Effect.scoped(Effect.flatMap(openSafetensors(path), (file) => file.read("w"))))
    expect([...w.data]).toStrictEqual([...Float32Array.from([1.5, -2, 3.25, 1e-8])])
    rmSync(path)
  })
})
