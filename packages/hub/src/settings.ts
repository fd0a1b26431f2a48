// Where the cache lives and how to reach the hub, read from the environment variables that
// huggingface_hub reads, with its defaults, so that peftlab shares a user's existing cache,
// mirror, token and offline switch:
// https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables
import { readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { HubError } from "./hub-error.ts"

export type HubEnv = Readonly<Record<string, string | undefined>>

export interface HubSettings {
  /** The hub cache: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
  readonly cacheDir: string
  /**
   * Files downloaded by URL: HF_DATASETS_CACHE/downloads, else HF_HOME/datasets/downloads, as the
   * `datasets` library keeps them (https://huggingface.co/docs/datasets/cache).
   */
  readonly downloadsDir: string
  /** HF_ENDPOINT without a trailing slash; https://huggingface.co by default. */
  readonly endpoint: string
  /** HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the file `hf auth login` wrote (HF_TOKEN_PATH, else HF_HOME/token). */
  readonly token: string | undefined
  /** HF_HUB_OFFLINE is 1, ON, YES or TRUE (any case): nothing is fetched. */
  readonly offline: boolean
  /** HF_HUB_ETAG_TIMEOUT (seconds, default 10): how long a metadata request may take. */
  readonly etagTimeoutMs: number
  /** HF_HUB_DOWNLOAD_TIMEOUT (seconds, default 10): how long a download may go without data. */
  readonly downloadTimeoutMs: number
}

const set = (env: HubEnv, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value === undefined || value === "" ? undefined : value
}

// huggingface_hub passes its folders through `os.path.expanduser`.
const expandHome = (env: HubEnv, path: string | undefined): string | undefined =>
  path?.replace(/^~(?=$|\/)/, set(env, "HOME") ?? homedir())

// huggingface_hub's `_is_true`.
const isTrue = (value: string | undefined): boolean => value !== undefined && ["1", "ON", "YES", "TRUE"].includes(value.toUpperCase())

const seconds = (env: HubEnv, name: string): number => {
  const value = set(env, name)
  if (value === undefined) return 10_000
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new HubError({ source: name, detail: `expected a positive number of seconds, got ${JSON.stringify(value)}` })
  }
  return parsed * 1000
}

const storedToken = (path: string): string | undefined => {
  try {
    const token = readFileSync(path, "utf8").trim()
    return token === "" ? undefined : token
  } catch {
    return undefined // not logged in
  }
}

// An endpoint that is no http(s) URL fails every request with a bare "Invalid URL": said here instead.
const endpointOf = (env: HubEnv): string => {
  const value = set(env, "HF_ENDPOINT") ?? "https://huggingface.co"
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new HubError({ source: "HF_ENDPOINT", detail: `expected an http(s) URL such as https://huggingface.co, got ${JSON.stringify(value)}` })
  }
  return value.replace(/\/+$/, "")
}

/** The settings in `env`; throws HubError for an unreadable timeout or endpoint. */
export const readHubSettings = (env: HubEnv): HubSettings => {
  const folder = (name: string) => expandHome(env, set(env, name))
  const home = folder("HF_HOME") ?? join(folder("XDG_CACHE_HOME") ?? join(set(env, "HOME") ?? homedir(), ".cache"), "huggingface")
  return {
    cacheDir: folder("HF_HUB_CACHE") ?? folder("HUGGINGFACE_HUB_CACHE") ?? join(home, "hub"),
    downloadsDir: join(folder("HF_DATASETS_CACHE") ?? join(home, "datasets"), "downloads"),
    endpoint: endpointOf(env),
    token: set(env, "HF_TOKEN") ?? set(env, "HUGGING_FACE_HUB_TOKEN") ?? storedToken(folder("HF_TOKEN_PATH") ?? join(home, "token")),
    offline: isTrue(set(env, "HF_HUB_OFFLINE")),
    etagTimeoutMs: seconds(env, "HF_HUB_ETAG_TIMEOUT"),
    downloadTimeoutMs: seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT"),
  }
}

/** The hub settings `env` (process.env by default) gives. */
export const hubSettings = (env: HubEnv = process.env): Effect.Effect<HubSettings, HubError> =>
  Effect.try({ try: () => readHubSettings(env), catch: (cause) => cause as HubError })
