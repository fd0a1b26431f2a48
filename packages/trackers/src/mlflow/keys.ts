// MLflow's file store keeps every param, metric and tag as a file named by its key, and refuses
// (in mlflow/utils/validation.py) keys and values that would not round-trip; checking them here
// turns what would be an unreadable run into a clear error before anything is written.
import { InputError } from "@peftlab/core"
import { posix } from "node:path"

/** Input MLflow would refuse (a key, a value too long, an artifact path) or a store peftlab cannot add to. */
export class MlflowInputError extends InputError("MlflowInputError") {}

/** MLflow's limits (MAX_ENTITY_KEY_LENGTH, MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH, MAX_EXPERIMENT_NAME_LENGTH). */
export const limits = { key: 250, paramValue: 6000, tagValue: 8000, experimentName: 500 } as const

/**
 * Throws unless `key` is a param, metric or tag key MLflow accepts on every system: letters, digits,
 * `_ - . /` and spaces (MLflow also takes `:` except on Windows, and non-ASCII word characters),
 * at most 250 characters, and a normalised relative path (no `..`, `./`, `//`, leading or trailing `/`).
 */
export const checkKey = (kind: "param" | "metric" | "tag", key: string, owner: string): void => {
  const problem = keyRules.find(([broken]) => broken(key))?.[1]
  if (problem !== undefined) throw new MlflowInputError({ source: `${owner}: ${kind} key "${key}"`, detail: `${problem}, as MLflow requires` })
}

const keyRules: ReadonlyArray<readonly [(key: string) => boolean, string]> = [
  [(key) => !/^[A-Za-z0-9_\-. /]*$/.test(key), "may only contain letters, digits, _ - . / and spaces"],
  [(key) => key.length > limits.key, `is longer than ${limits.key} characters`],
  [(key) => !isPlainRelativePath(key), "must be a plain relative path (no empty, . or .. parts, no leading or trailing /)"],
]

/** True when `path` names itself under a folder: relative, normalised, no `.`/`..` parts (posixpath.normpath's rule). */
export const isPlainRelativePath = (path: string): boolean =>
  posix.normalize(path) === path && path !== "." && !path.startsWith("..") && !path.startsWith("/") && !path.endsWith("/")

/** Throws if `value` is longer than MLflow stores for a param or tag. */
export const checkValueLength = (kind: "param" | "tag", key: string, value: string, owner: string): void => {
  const limit = kind === "param" ? limits.paramValue : limits.tagValue
  if (value.length > limit) {
    throw new MlflowInputError({ source: `${owner}: ${kind} "${key}"`, detail: `value has ${value.length} characters; MLflow stores at most ${limit}` })
  }
}

/**
 * Throws unless no key is also the folder of another (a file `train` cannot sit beside a folder
 * `train/` holding `train/loss`) and no key is given twice.
 */
export const checkKeysFit = (kind: "param" | "metric" | "tag", keys: ReadonlyArray<string>, owner: string): void => {
  const all = new Set<string>()
  for (const key of keys) {
    if (all.has(key)) throw new MlflowInputError({ source: `${owner}: ${kind} key "${key}"`, detail: "given twice" })
    all.add(key)
  }
  for (const key of keys) {
    const parts = key.split("/")
    for (let n = 1; n < parts.length; n++) {
      const folder = parts.slice(0, n).join("/")
      if (all.has(folder)) {
        throw new MlflowInputError({ source: `${owner}: ${kind} key "${folder}"`, detail: `is also the folder of "${key}"; MLflow stores both as files` })
      }
    }
  }
}
