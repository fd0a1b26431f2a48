import { join } from "node:path"

/** `dir/<prefix><arm><suffix>`; the arm name must not be able to leave `dir` or need quoting. */
export const armFile = (dir: string, prefix: string, arm: string, suffix: string): string => {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(arm)) {
    throw new RangeError(`arm name ${JSON.stringify(arm)} cannot name a file: use letters, digits, ".", "_" or "-"`)
  }
  return join(dir, `${prefix}${arm}${suffix}`)
}
