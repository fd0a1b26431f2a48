// Method plugins in the registry: an arm of a kind no built-in has is checked, once plugins have
// registered, against the registered methods (its kind) and its method's options Schema (its
// fields), each problem at its line:column; a registered method builds the arm's adapter.
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { frozenBase } from "@peftlab/adapters-base"
import { defineMethod, Registry, type MethodRegistry } from "@peftlab/plugin-api"
import { adapterKindOf, builtinRegistry, checkRegisteredNames, describeMethodArm } from "../src/index.ts"
import { decodeSmall, edit, positionOf, smallSpec } from "./fixtures.ts"

const scaled = defineMethod({
  name: "scaled",
  peftType: "SCALED",
  options: Schema.Struct({ scale: Schema.Finite.pipe(Schema.annotateKey({ expected: "a number" })) }),
  create: () => frozenBase(),
  load: () => Effect.succeed(frozenBase()),
  describe: ({ scale }) => `scaled by ${scale}`,
})

/** A plugin's register, typed as plugins see the registry: the run's registry must fit it. */
const register = (registry: MethodRegistry): void => registry.add("methods", scaled)

const withScaled = (registered: boolean) => {
  const registry = builtinRegistry()
  if (registered) register(registry)
  return registry
}

const specWith = (arm: string) => edit(smallSpec, "  - name: base\n    kind: base\n", `  - name: base\n    kind: base\n${arm}`)

const issuesOf = async (text: string, registered: boolean) =>
  (await Effect.runPromise(Effect.flip(checkRegisteredNames(await decodeSmall(text)).pipe(Effect.provideService(Registry, withScaled(registered)))))).issues

describe("method plugins", () => {
  it("accept an arm of their kind, describe it and build its adapter", async () => {
    const loaded = await decodeSmall(specWith("  - name: mine\n    kind: scaled\n    scale: 2\n"))
    const registry = withScaled(true)
    await Effect.runPromise(checkRegisteredNames(loaded).pipe(Effect.provideService(Registry, registry)))
    const arm = loaded.spec.arms.find((a) => a.name === "mine")!
    expect(describeMethodArm(registry, arm)).toBe("scaled by 2")
    expect(adapterKindOf(registry, "scaled").name).toBe("scaled")
  })

  it("name the registered arm kinds for a kind nobody registered, at its line:column", async () => {
    const text = specWith("  - name: mine\n    kind: scaled\n    scale: 2\n")
    const kinds = "one of base, fine-tune, prompt, prefix, p-tuning, lora, adapter"
    expect(await issuesOf(text, false)).toContainEqual({ path: "arms[1].kind", expected: kinds, found: '"scaled"', ...positionOf(text, "scaled") })
  })

  it("refuse a bad option value or an option the method does not have, at arms[i].<field>", async () => {
    const text = specWith("  - name: mine\n    kind: scaled\n    scale: big\n    shift: 1\n")
    expect(await issuesOf(text, true)).toStrictEqual([
      { path: "arms[1].scale", expected: "a number", found: '"big"', ...positionOf(text, "big") },
      { path: "arms[1].shift", expected: "no such field", found: "1", ...positionOf(text, "shift") },
    ])
  })
})
