import { Effect, Layer } from "effect"
import { emit, Events, InputError, isInputError, Rng, writeFileAtomic } from "@peftlab/core"

const rng = Rng.seeded(42)
const order = rng.shuffle(["a", "b", "c", "d"])
const saved = rng.state() // four 32-bit words: store them in a checkpoint
console.log(order, Rng.fromState(saved).int(10) === rng.int(10)) // a permutation, true

class DataFileError extends InputError("DataFileError") {}
const error = new DataFileError({ source: "data.json", detail: "line 3: expected an object" })
console.log(error.message, isInputError(error)) // "data.json: line 3: expected an object" true

const printed = Layer.succeed(Events, { emit: (event) => Effect.sync(() => console.log(event.type)) })
await Effect.runPromise(emit({ type: "log", level: "info", message: "hello" }).pipe(Effect.provide(printed))) // log

await writeFileAtomic("/tmp/peftlab-out/notes.txt", "whole or not at all\n") // creates /tmp/peftlab-out/
