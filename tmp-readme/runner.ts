import { Effect, Layer } from "effect"
import { plugin } from "@peftlab/backend-wasm"
import { backendLayer } from "@peftlab/core"
import { runExperiment } from "@peftlab/runner"
import { checkSpecFiles, loadSpec } from "@peftlab/spec"
import { plainLinesLayer } from "@peftlab/tui"

const program = Effect.gen(function* () {
  const loaded = yield* loadSpec("specs/quickstart.yaml")
  yield* checkSpecFiles(loaded)
  return yield* runExperiment(loaded, { outDir: "/tmp/peftlab-quickstart" })
})
const { finished, comparisons } = await Effect.runPromise(
  program.pipe(Effect.provide(Layer.merge(backendLayer(plugin), plainLinesLayer()))),
)
console.log(finished.map((f) => `${f.result.arm} ${f.result.macroF1.toFixed(3)}`), comparisons[0]?.mcnemar)
