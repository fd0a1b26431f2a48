// The replica module of an arm's data-parallel training and testing (see @peftlab/trainer's
// startDataParallel): each worker builds what the main thread built for the arm, from the same
// spec, data and model files, on its own backend (given the worker's share of the cores; its
// frozen base over the main thread's shared memory where the base is host-held). In training it
// computes the arm's loss on the batches it is sent; in test it predicts the test items whose
// indices it is sent (test-pass.ts). Its adapter starts from its own draws: the pool sends the
// main thread's variable values with every step.
import { Effect, Exit, Layer, Scope } from "effect"
import { Events, Rng } from "@peftlab/core"
import { Registry } from "@peftlab/plugin-api"
import { loadTokenizer } from "@peftlab/tokenizers"
import type { Replica, ReplicaContext } from "@peftlab/trainer"
import { applyGradientCheckpointing } from "../gradient-checkpointing.ts"
import { specRegistryLayer } from "../registry/index.ts"
import { adapterKindOf } from "../registry/methods.ts"
import { trainingFor } from "../run-arm.ts"
import { prepareTask } from "../tasks/task-kinds.ts"
import { timedPrediction, type Timed } from "../test-pass.ts"
import type { ArmReplicaInit } from "./replica-init.ts"

const silent = Layer.succeed(Events, { emit: () => Effect.void })

export default async (init: unknown, { threads }: ReplicaContext): Promise<Replica<ReadonlyArray<unknown>>> => {
  const { loaded, dataPath, modelDir, backend, arm, phase, shared } = init as ArmReplicaInit
  const spec = { ...loaded.spec, data: { ...loaded.spec.data, path: dataPath } }
  const scope = await Effect.runPromise(Scope.make())
  const built = Effect.gen(function* () {
    const registry = yield* Registry
    const plugin = yield* registry.get("backends", backend).load()
    yield* Effect.promise(() => plugin.setup({ threads }))
    const data = yield* prepareTask(spec)
    const tokenizer = yield* loadTokenizer(modelDir)
    const { model, task } = yield* data.load({ tokenizer, modelDir, ...(shared && { shared }) })
    yield* applyGradientCheckpointing(spec, model, modelDir)
    const rng = Rng.seeded(spec.seed)
    const created = yield* Effect.promise(() => adapterKindOf(registry, arm.kind).create(arm, { model, tokenizer, rng, modelPath: spec.model.path, methods: registry.entries("methods") }))
    const prepared = task.prepare ? yield* task.prepare(created, rng) : created
    if (phase === "test") prepared.afterTraining?.()
    return { prepared, task }
  })
  // The spec's registry, its plugins imported again in this worker.
  const { prepared, task } = await Effect.runPromise(built.pipe(Scope.provide(scope), Effect.provide(Layer.merge(silent, specRegistryLayer(loaded)))))
  const settings = trainingFor(spec, arm)
  const training = phase === "training" ? task.training(arm, prepared.adapter, settings).task : undefined
  const testPass = phase === "test" ? task.testPass(arm, prepared.adapter, settings) : undefined
  return {
    variables: prepared.adapter.trainable,
    loss: (batch) => {
      if (!training) throw new Error("a test-phase replica was asked for a training loss")
      return training.loss(batch)
    },
    // The local loop weighs micro-batches equally; by examples is the same for equal sizes.
    weight: (batch) => batch.length,
    // A micro-batch of test item indices, predicted one at a time.
    evaluate: async (batch) => {
      if (!testPass) throw new Error("a training-phase replica was asked for test predictions")
      const timed: Array<Timed<unknown>> = []
      for (const index of batch as ReadonlyArray<number>) timed.push(await timedPrediction(testPass, index))
      return timed
    },
    dispose: () => {
      prepared.release()
      void Effect.runPromise(Scope.close(scope, Exit.void))
    },
  }
}
