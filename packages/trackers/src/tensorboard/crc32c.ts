// TFRecord framing checksums its length and data with CRC-32C (Castagnoli), masked, and TensorBoard
// refuses a record whose checksum does not match; node:zlib only has the other CRC-32.
const table = Uint32Array.from({ length: 256 }, (_, byte) => {
  let crc = byte
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  return crc
})

/** CRC-32C of `bytes` (reflected polynomial 0x82F63B78, initial and final xor 0xFFFFFFFF). */
export const crc32c = (bytes: Uint8Array): number => {
  let crc = 0xffffffff
  for (const byte of bytes) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** TFRecord's masked CRC-32C: rotated right by 15 bits plus 0xA282EAD8, modulo 2^32. */
export const maskedCrc32c = (bytes: Uint8Array): number => {
  const crc = crc32c(bytes)
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0
}
