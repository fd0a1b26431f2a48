// Entry point of the `peftlab` command: parses flags and dispatches to a command.
// Returns the exit code instead of exiting, so tests can call it directly.
import { resolve } from "node:path"
import { parseArgs } from "node:util"
import { builtinRegistry } from "@peftlab/runner"
import { backendsCommand } from "./commands/backends.ts"
import { mergeCommand } from "./commands/merge.ts"
import { predictCommand } from "./commands/predict.ts"
import { compareCommand, reportCommand } from "./commands/report.ts"
import { runRunCommand } from "./commands/run.ts"
import { validateCommand } from "./commands/validate.ts"
import { workerArmCommand, workerCommand } from "./commands/worker.ts"
import { ExitCode, processIo, type Io } from "./exit.ts"

// Flags are checked before any spec (and so any plugin) is read: --backend takes a built-in
// backend; a plugin's backend is chosen with the spec's `backend`.
const backendNames = builtinRegistry().names("backends")

export const usage = `usage: peftlab <command> [options]

commands:
  run SPEC        run every arm of an experiment spec and write its results folder
                  --out DIR       results folder (default: the spec's output.dir)
                  --backend NAME  ${backendNames.join(" | ")} (default: the spec's backend)
                  --no-tui        plain log lines instead of the terminal UI
                  --json          one JSON object per run event and line, for other programs
                  --set F=V       replace a spec field (repeatable), e.g. --set model.path=/models/tiny
                  --tensorboard DIR  TensorBoard log folder, shared by runs (default: the spec's
                                  output.tensorboard, else DIR/tensorboard of the results folder)
                  --mlflow DIR    MLflow file store, shared by runs (default: the spec's output.mlflow,
                                  else mlruns/ in the results folder)
                  --dry-run       print the planned arms and exit
                  --allow-plugins import the modules the spec lists under plugins:, which runs their
                                  code; a spec that lists plugins is refused without it
                  --queue URL     run the arms as jobs on Redis (redis://HOST:PORT[/DB]), taken by
                                  \`peftlab worker\` processes that see the same --out folder (default:
                                  the spec's execution.queue); the same command again reattaches
  worker          take arm jobs from a queue and run them, each in a child process
                  --queue URL     the Redis the runs were submitted to (redis://HOST:PORT[/DB])
                  --backend NAME  the backend whose runs it takes (default: wasm)
                  --concurrency N arms at a time (default: 1)
                  --allow-plugins import the plugins a job's spec lists (as for run)
  predict         write an existing adapter's predictions for new data, one JSON line per example
                  (id, prediction, and probability and log_probs per label, or generated text)
                  --model M       the base model folder or Hugging Face id
                  --adapter A     the adapter folder (adapters/<arm> of a results folder) or Hugging Face id
                  --data F        the data file (or folder), read with the task's data kind
                  --spec SPEC     the task (template, labels or generation settings, data kind); by
                                  default the manifest.json of the results folder the adapter is in
                  --out FILE      where the JSON lines go (default: stdout)
                  --ids           add the token ids scored (prompt_ids, label_ids), to check the
                                  scores with another library (label scoring only)
                  --backend NAME  ${backendNames.join(" | ")} (default: the backend the adapter's run used, or
                                  the --spec's backend)
                  --allow-plugins import the plugins the task's spec lists (as for run)
  merge           fold a LoRA adapter (rsLoRA, DoRA) into its base model and write the merged model
                  as safetensors in Hugging Face layout (the base's dtype, shards, config, tokenizer)
                  --model M       the base model folder or Hugging Face id
                  --adapter A     the LoRA adapter folder or Hugging Face id
                  --out DIR       a new (or empty) folder for the merged model
                  --nf4-base      the adapter was trained over an NF4 base (QLoRA): merge onto the
                                  dequantized base (found from the run's manifest when there is one)
                  --allow-plugins import the plugins the adapter's run spec lists (as for run)
  validate SPEC   check a spec; lists every problem with its field and line. It imports no plugin:
                  it checks that each resolves, and leaves the names they register to run
  report DIR      rebuild the tables, figures, report.md, report.html and tracker files of a
                  results folder (no model needed)
  compare DIR...  print several results folders' arms side by side
                  --html FILE     also write one self-contained HTML page of all of them
  backends        list the compute backends and whether they can run here

environment: PEFTLAB_DATA (datasets root, default ./data), PEFTLAB_MODELS (models root, default ./models)`

/** Flags that only some commands read: given to another, they would be silently ignored. */
const commandFlags = [
  { flag: "model", commands: ["predict", "merge"] },
  { flag: "adapter", commands: ["predict", "merge"] },
  { flag: "nf4-base", commands: ["merge"] },
  { flag: "data", commands: ["predict"] },
  { flag: "spec", commands: ["predict"] },
  { flag: "ids", commands: ["predict"] },
  { flag: "tensorboard", commands: ["run"] },
  { flag: "mlflow", commands: ["run"] },
  { flag: "html", commands: ["compare"] },
  { flag: "allow-plugins", commands: ["run", "predict", "worker", "merge"] },
  { flag: "queue", commands: ["run", "worker"] },
  { flag: "concurrency", commands: ["worker"] },
] as const

/** --tensorboard and --mlflow as the spec fields they set, absolute so that `peftlab report` finds them from anywhere. */
const trackerSets = (values: { readonly tensorboard?: string; readonly mlflow?: string }): Array<string> => [
  ...(values.tensorboard === undefined ? [] : [`output.tensorboard=${resolve(values.tensorboard)}`]),
  ...(values.mlflow === undefined ? [] : [`output.mlflow=${resolve(values.mlflow)}`]),
]

const unknownBackend = (name: string | undefined): boolean => name !== undefined && !backendNames.includes(name)

/** A flag other than --set given more than once: parseArgs would keep the last in silence (`--out a --out b`). */
const repeatedFlag = (tokens: ReadonlyArray<{ readonly kind: string; readonly name?: string; readonly value?: string | undefined }>): string | undefined => {
  const seen = new Map<string, Array<string | undefined>>()
  for (const token of tokens) {
    if (token.kind !== "option" || token.name === undefined || token.name === "set") continue
    seen.set(token.name, [...(seen.get(token.name) ?? []), token.value])
  }
  const [name, values] = [...seen].find(([, given]) => given.length > 1) ?? []
  if (name === undefined || values === undefined) return undefined
  const shown = values.every((value) => value !== undefined) ? ` (${values.map((value) => JSON.stringify(value)).join(", ")})` : ""
  return `--${name} is given ${values.length} times${shown}; give it once`
}

const badUsage = (io: Io, problem: string): number => {
  io.err(`error: ${problem}\n\n${usage}`)
  return ExitCode.badInput
}

export const main = async (argv: ReadonlyArray<string>, io: Io = processIo): Promise<number> => {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      tokens: true,
      options: {
        out: { type: "string" },
        backend: { type: "string" },
        "no-tui": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        set: { type: "string", multiple: true, default: [] },
        "dry-run": { type: "boolean", default: false },
        tensorboard: { type: "string" },
        mlflow: { type: "string" },
        html: { type: "string" },
        model: { type: "string" },
        adapter: { type: "string" },
        data: { type: "string" },
        spec: { type: "string" },
        ids: { type: "boolean", default: false },
        "nf4-base": { type: "boolean", default: false },
        "allow-plugins": { type: "boolean", default: false },
        queue: { type: "string" },
        concurrency: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    })
  } catch (error) {
    // parseArgs throws a TypeError describing the unknown or malformed flag.
    return badUsage(io, (error as Error).message)
  }
  const { values, positionals, tokens } = parsed
  const repeated = repeatedFlag(tokens)
  if (repeated) return badUsage(io, repeated)
  const [command, ...rest] = positionals
  if (values.help || command === undefined || command === "help") {
    if (command === undefined && !values.help) return badUsage(io, "no command given")
    io.out(usage)
    return ExitCode.ok
  }
  const misplaced = commandFlags.find(({ flag, commands }) => values[flag] !== undefined && values[flag] !== false && !(commands as ReadonlyArray<string>).includes(command))
  if (misplaced) {
    const owners = misplaced.commands.length === 1 ? misplaced.commands[0] : `${misplaced.commands.slice(0, -1).join(", ")} and ${misplaced.commands.at(-1)}`
    return badUsage(io, `--${misplaced.flag} belongs to ${owners}, not ${command}`)
  }
  switch (command) {
    case "backends":
      return rest.length === 0 ? backendsCommand(io) : badUsage(io, "backends takes no arguments")
    case "validate":
      return rest.length === 1 ? validateCommand(rest[0] as string, io, values.set) : badUsage(io, "validate takes exactly one SPEC file")
    case "report":
      return rest.length === 1 ? reportCommand(rest[0] as string, io) : badUsage(io, "report takes exactly one results folder")
    case "compare":
      return rest.length >= 1 ? compareCommand(rest, io, values.html) : badUsage(io, "compare takes one or more results folders")
    case "predict": {
      if (rest.length > 0) return badUsage(io, "predict takes no positional arguments (name the files with --model, --adapter and --data)")
      const missing = (["model", "adapter", "data"] as const).filter((flag) => values[flag] === undefined)
      if (missing.length > 0) return badUsage(io, `predict needs ${missing.map((flag) => `--${flag}`).join(", ")}`)
      const unused = (["set", "dry-run", "no-tui", "json"] as const).find((flag) => (flag === "set" ? values.set.length > 0 : values[flag]))
      if (unused) return badUsage(io, `--${unused} belongs to run, not predict`)
      if (unknownBackend(values.backend)) return badUsage(io, `--backend: expected one of ${backendNames.join(", ")}, got "${values.backend}"`)
      const { model, adapter, data, spec, out, backend, ids } = values as typeof values & { model: string; adapter: string; data: string }
      return predictCommand({ model, adapter, data, ids, allowPlugins: values["allow-plugins"], ...(spec && { spec }), ...(out && { out }), ...(backend && { backend }) }, io)
    }
    case "merge": {
      if (rest.length > 0) return badUsage(io, "merge takes no positional arguments (name the folders with --model, --adapter and --out)")
      const missing = (["model", "adapter", "out"] as const).filter((flag) => values[flag] === undefined)
      if (missing.length > 0) return badUsage(io, `merge needs ${missing.map((flag) => `--${flag}`).join(", ")}`)
      const unused = (["set", "dry-run", "no-tui", "json", "backend"] as const).find((flag) => (flag === "set" ? values.set.length > 0 : values[flag]))
      if (unused) return badUsage(io, `--${unused} belongs to run, not merge`)
      const { model, adapter, out } = values as typeof values & { model: string; adapter: string; out: string }
      return mergeCommand({ model, adapter, out, nf4Base: values["nf4-base"], allowPlugins: values["allow-plugins"] }, io)
    }
    case "run": {
      if (rest.length !== 1) return badUsage(io, "run takes exactly one SPEC file")
      if (unknownBackend(values.backend)) return badUsage(io, `--backend: expected one of ${backendNames.join(", ")}, got "${values.backend}"`)
      return runRunCommand(
        rest[0] as string,
        {
          out: values.out,
          backend: values.backend,
          tui: !values["no-tui"],
          json: values.json,
          dryRun: values["dry-run"],
          allowPlugins: values["allow-plugins"],
          sets: [...values.set, ...trackerSets(values)],
          ...(values.queue !== undefined && { queue: values.queue }),
        },
        io,
      )
    }
    case "worker": {
      if (rest.length > 0) return badUsage(io, "worker takes no positional arguments")
      if (values.queue === undefined) return badUsage(io, "worker needs --queue redis://HOST:PORT[/DB]")
      const unused = (["out", "set", "dry-run", "no-tui", "json"] as const).find((flag) => (flag === "set" ? values.set.length > 0 : values[flag]))
      if (unused) return badUsage(io, `--${unused} belongs to run, not worker`)
      if (unknownBackend(values.backend)) return badUsage(io, `--backend: expected one of ${backendNames.join(", ")}, got "${values.backend}"`)
      const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency)
      if (!Number.isSafeInteger(concurrency) || concurrency < 1) return badUsage(io, `--concurrency: expected a positive integer, got "${values.concurrency}"`)
      return workerCommand({ queue: values.queue, backend: values.backend ?? "wasm", concurrency, allowPlugins: values["allow-plugins"] }, io)
    }
    // Internal: the child process a worker runs each job's arm in (its job comes over IPC).
    case "worker-arm":
      return workerArmCommand(io)
    default:
      return badUsage(io, `unknown command "${command}"`)
  }
}
