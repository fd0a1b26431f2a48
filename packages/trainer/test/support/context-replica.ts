// A replica module for the data-parallel tests that only reports what the pool told it: its
// evaluate answers with the ReplicaContext the module's default export was called with.
import type { Replica, ReplicaContext } from "../../src/index.ts"

export default async (_init: unknown, context: ReplicaContext): Promise<Replica<unknown>> => ({
  variables: [],
  loss: () => {
    throw new Error("the context replica has no loss")
  },
  weight: () => 1,
  evaluate: () => context,
  dispose: () => {},
})
