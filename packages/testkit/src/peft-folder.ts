// PEFT adapter folders written by hand (adapter_config.json beside adapter_model.safetensors,
// tensors of given shapes), loaded the way peftlab loads a user's adapter, and the checks every
// refused adapter_config.json field must pass: one copy for the config tests of LoRA, prompt
// tuning and prefix tuning, so loading is checked against files no peftlab code wrote.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, type Exit } from "effect"
import { expect } from "vitest"
import { readPeftAdapter, type PeftAdapterFiles } from "@peftlab/adapters-base"
import { isInputError } from "@peftlab/core"
import { writeSafetensors } from "@peftlab/models"

export type TensorShapes = Readonly<Record<string, ReadonlyArray<number>>>

/** Deterministic values for a tensor, different per name. */
const valuesFor = (name: string, size: number): Float32Array => {
  let seed = [...name].reduce((sum, c) => sum + c.charCodeAt(0), 0)
  return Float32Array.from({ length: size }, () => Math.sin(seed++) * 0.1)
}

/** A folder holding `config` and, for each name, a tensor of that shape. */
export const writeAdapterFolder = async (config: object, shapes: TensorShapes): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-peft-folder-"))
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify(config, null, 2))
  const tensors = new Map(
    Object.entries(shapes).map(([name, shape]) => [name, { shape: [...shape], data: valuesFor(name, shape.reduce((a, b) => a * b, 1)) }] as const),
  )
  await Effect.runPromise(writeSafetensors(join(dir, "adapter_model.safetensors"), tensors, { format: "pt" }))
  return dir
}

/** What a refusal's typed error carries (AdapterFieldRefused, AdapterTensorsUnused, ...). */
export interface Refusal {
  readonly _tag: string
  readonly message: string
  readonly source?: string
  readonly field?: string
}

/** Loads folders through `load` (an adapter kind's loader over PEFT's files) and reads how they load or are refused. */
export const peftFolderLoader = <A extends { dispose(): void }>(load: (files: PeftAdapterFiles) => Effect.Effect<A, unknown>) => {
  const loadFolder = async (config: object, shapes: TensorShapes): Promise<{ readonly dir: string; readonly exit: Exit.Exit<A, unknown> }> => {
    const dir = await writeAdapterFolder(config, shapes)
    return { dir, exit: await Effect.runPromiseExit(readPeftAdapter(dir).pipe(Effect.flatMap(load))) }
  }
  return {
    load: loadFolder,
    /** The adapter; a refusal fails the test. */
    loaded: async (config: object, shapes: TensorShapes): Promise<A> => {
      const { exit } = await loadFolder(config, shapes)
      if (exit._tag === "Failure") throw new Error(String(exit.cause))
      return exit.value
    },
    /** The typed error the folder is refused with; loading fails the test. */
    refusal: async (config: object, shapes: TensorShapes): Promise<{ readonly dir: string; readonly error: Refusal }> => {
      const { dir, exit } = await loadFolder(config, shapes)
      if (exit._tag === "Success") {
        exit.value.dispose()
        throw new Error(`loaded ${JSON.stringify(config)}`)
      }
      const reason = exit.cause.reasons[0]
      return { dir, error: (reason && "error" in reason ? reason.error : undefined) as Refusal }
    },
  }
}

/** A refused field's error names the file, the field and its value, says what is supported, and is bad input (exit 2). */
export const expectFieldRefused = ({ dir, error }: { readonly dir: string; readonly error: Refusal }, field: string, value: unknown, supported: string): void => {
  const file = join(dir, "adapter_config.json")
  expect(error).toMatchObject({ _tag: "AdapterFieldRefused", source: file, field, value })
  expect(error.message.startsWith(`${file}: ${field}: ${JSON.stringify(value)} is not supported (`)).toBe(true)
  expect(error.message).toContain(supported)
  expect(isInputError(error)).toBe(true)
}
