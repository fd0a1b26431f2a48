// The safetensors layout: an 8-byte little-endian header length, a JSON header mapping each
// tensor name to { dtype, shape, data_offsets } (offsets relative to the end of the header),
// an optional "__metadata__" map of strings, then the tensor bytes.
import { Result, Schema } from "effect"
import { decodeOrDescribe } from "@peftlab/core"
import { storedDtypeBytes, storedDtypes, type StoredDtype } from "./dtype.ts"

export const metadataKey = "__metadata__"

const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

const TensorEntrySchema = Schema.Struct({
  dtype: Schema.Literals(storedDtypes),
  shape: Schema.Array(NonNegativeInt),
  data_offsets: Schema.Tuple([NonNegativeInt, NonNegativeInt]),
})

export interface TensorEntry {
  readonly name: string
  /** Any dtype of the format: reading values checks that peftlab can decode it. */
  readonly dtype: StoredDtype
  readonly shape: ReadonlyArray<number>
  /** Byte range within the data section. */
  readonly begin: number
  readonly end: number
}

export const elementCount = (shape: ReadonlyArray<number>): number => shape.reduce((n, d) => n * d, 1)

/** One header entry checked against the data section's size, or what is wrong with it. */
export const decodeEntry = (name: string, raw: unknown, dataBytes: number): Result.Result<TensorEntry, string> =>
  Result.flatMap(
    Result.mapError(decodeOrDescribe(TensorEntrySchema, raw), (issues) => `tensor "${name}": ${issues}`),
    ({ dtype, shape, data_offsets: [begin, end] }) => {
      if (begin > end || end > dataBytes) {
        return Result.fail(`tensor "${name}": data_offsets [${begin}, ${end}] fall outside the ${dataBytes}-byte data section`)
      }
      const needed = elementCount(shape) * storedDtypeBytes[dtype]
      if (end - begin !== needed) {
        return Result.fail(
          `tensor "${name}": data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} of shape [${shape.join(", ")}] needs ${needed}`,
        )
      }
      return Result.succeed({ name, dtype, shape, begin, end })
    },
  )

/**
 * The tensors, in offset order, must tile the data section exactly, as the safetensors reference
 * loader requires: overlapping tensors would share bytes, and uncovered bytes are data no tensor
 * owns (a truncated or hand-edited file). The reason when they do not, else undefined.
 */
export const layoutProblem = (entries: Iterable<TensorEntry>, dataBytes: number): string | undefined => {
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end)
  let covered = 0
  let previous: TensorEntry | undefined
  for (const entry of ordered) {
    if (entry.begin < covered) return `tensor "${entry.name}" (bytes ${entry.begin} to ${entry.end}) overlaps tensor "${previous?.name}" (bytes ${previous?.begin} to ${previous?.end})`
    if (entry.begin > covered) return `bytes ${covered} to ${entry.begin} of the data section belong to no tensor (before tensor "${entry.name}")`
    covered = entry.end
    previous = entry
  }
  return covered === dataBytes ? undefined : `bytes ${covered} to ${dataBytes} of the data section belong to no tensor`
}
