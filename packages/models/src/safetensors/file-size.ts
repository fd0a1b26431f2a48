// Sizes as Hugging Face spells them ("5GB", "500MB", "2GiB"), for a shard-size limit given on
// a command line: transformers' convert_file_size_to_int (GB = 10^9, GiB = 2^30; a lowercase
// final "b" of KB/MB/GB, as in "5Gb", means bits), plus a plain byte count.

const unitBytes: Record<string, number> = { kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, kb: 1e3, mb: 1e6, gb: 1e9 }

/** `text` in bytes (rounded down), or undefined unless it is a positive size. */
export const parseFileSize = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)([kmg]i?b)?$/i.exec(text.trim())
  if (!match) return undefined
  const [, number, unit] = match as unknown as [string, string, string | undefined]
  if (unit === undefined) return /^\d+$/.test(number) && Number(number) > 0 ? Number(number) : undefined
  const decimal = !/i/i.test(unit)
  const bytes = Math.floor((Number(number) * (unitBytes[unit.toLowerCase()] as number)) / (decimal && unit.endsWith("b") ? 8 : 1))
  return bytes > 0 ? bytes : undefined
}
