// Which binary loadNativeGemm() loads, and that the committed prebuilt is a build of these sources.
// `npm run build:native` (as .ci/run does) leaves a node-gyp build in build/Release that the loader
// takes before the prebuilt, so CI's tests run the binary CI compiled from c/. Where both exist,
// the prebuilt must export the same functions and kernel variants and compute the same products
// bit for bit (the same C and flags; a prebuilt left stale after a change to c/ fails here:
// rebuild it with `npm run build:native -- --prebuilt`). Skipped, with the reason, where neither
// loads; the prebuilt comparison only where there is a build.
import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { addonPath, builtPath, loadAddon, type NativeGemmAddon } from "../src/addon.ts"
import { loadNativeGemm, prebuiltPath } from "../src/index.ts"
import { values } from "./fixtures/reference.ts"

const best = loadNativeGemm()
const built = existsSync(builtPath)

describe("the native GEMM's loader", () => {
  it("loads the node-gyp build when there is one, else this platform's prebuilt", () => {
    expect(addonPath()).toBe(built ? builtPath : prebuiltPath())
    if (best.gemm !== undefined) expect(best.gemm.info().path).toBe(addonPath())
  })

  it("names the file it looked for when there is none", () => {
    const load = loadAddon(prebuiltPath("plan9", "mips"))
    expect(load.addon).toBeUndefined()
    expect(load).toMatchObject({ reason: expect.stringContaining("prebuilds/plan9-mips/native-gemm.node") })
  })
})

const bothLoad = built && best.gemm !== undefined && existsSync(prebuiltPath())
describe.skipIf(!bothLoad)(`the committed prebuilt against the node-gyp build${built ? "" : " (skipped: no build; npm run build:native makes one)"}`, () => {
  const load = (path: string): NativeGemmAddon => {
    const loaded = loadAddon(path)
    if (loaded.addon === undefined) throw new Error(loaded.reason)
    return loaded.addon
  }

  it("exports the same functions and kernel variants, and computes the same products bit for bit", () => {
    const [fromBuild, fromPrebuilt] = [load(builtPath), load(prebuiltPath())]
    expect(Object.keys(fromPrebuilt).sort()).toEqual(Object.keys(fromBuild).sort())
    expect(fromPrebuilt.kernels()).toEqual(fromBuild.kernels())
    const [m, n, k] = [67, 300, 513]
    const [a, b] = [values(m * k, 11), values(n * k, 12)]
    for (const { name } of fromBuild.kernels()) {
      const [c1, c2] = [new Float32Array(m * n), new Float32Array(m * n)]
      fromBuild.gemm(a, b, c1, m, n, k, false, true, name, 2)
      fromPrebuilt.gemm(a, b, c2, m, n, k, false, true, name, 2)
      expect(Buffer.from(c2.buffer).equals(Buffer.from(c1.buffer)), `${name}: the prebuilt's product differs from the build's`).toBe(true)
    }
  })
})
