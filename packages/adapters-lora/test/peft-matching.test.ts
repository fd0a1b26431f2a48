// PEFT's module matching (check_target_module_exists) and pattern lookup (get_pattern_key),
// on module names alone, with the cases PEFT's own code comments call out.
import { describe, expect, it } from "vitest"
import { isTargeted, layerIndexOf, patternKey, patternValue, targetedModules } from "../src/index.ts"

const names = [0, 1, 2].flatMap((l) => [`model.layers.${l}.self_attn.q_proj`, `model.layers.${l}.self_attn.v_proj`, `model.layers.${l}.mlp.down_proj`])

describe("isTargeted", () => {
  it("keeps only the listed layers, reading the first numbered segment (not an expert index further in)", () => {
    expect(targetedModules(names, { targetModules: ["q_proj"], layersToTransform: [0, 2] })).toEqual([names[0], names[6]])
    expect(targetedModules(names, { targetModules: ["q_proj", "v_proj"], layersToTransform: 1 })).toEqual([names[3], names[4]])
    expect(targetedModules(names, { targetModules: ["q_proj"], layersToTransform: [] })).toEqual([names[0], names[3], names[6]])
    expect(layerIndexOf("model.layers.1.mlp.experts.0.down_proj", undefined)).toBe(1)
    expect(layerIndexOf("lm_head", undefined)).toBeUndefined()
  })
  it("finds the layer after a layers_pattern segment", () => {
    expect(layerIndexOf("transformer.h.3.attn.c_attn", "h")).toBe(3)
    expect(layerIndexOf("model.layers.2.self_attn.q_proj", ["h", "layers"])).toBe(2)
    expect(isTargeted("model.layers.2.self_attn.q_proj", { targetModules: ["q_proj"], layersToTransform: [2], layersPattern: "h" })).toBe(false)
  })
  it("wraps a module listed by its whole name in any layer", () => {
    expect(isTargeted(names[3]!, { targetModules: [names[3]!], layersToTransform: [0] })).toBe(true)
  })
  it("excludes by name, by name ending or by regex before anything else", () => {
    expect(targetedModules(names, { targetModules: ["q_proj", "v_proj"], excludeModules: ["v_proj", names[0]!] })).toEqual([names[3], names[6]])
    expect(targetedModules(names, { targetModules: ".*_proj", excludeModules: ".*\\.(1|2)\\..*" })).toEqual(names.slice(0, 3))
    // A regex must match the whole name, as Python's re.fullmatch.
    expect(targetedModules(names, { targetModules: ["q_proj"], excludeModules: "layers" })).toEqual([names[0], names[3], names[6]])
  })
})

describe("patternKey", () => {
  it("matches a key at the end of the name on a segment boundary, first key in order winning", () => {
    expect(patternKey(["q_proj"], names[0]!)).toBe("q_proj")
    expect(patternKey(["_proj"], names[0]!)).toBeUndefined()
    expect(patternKey(["layers.1.self_attn.q_proj", "q_proj"], names[3]!)).toBe("layers.1.self_attn.q_proj")
    expect(patternKey(["q_proj", "layers.1.self_attn.q_proj"], names[3]!)).toBe("q_proj")
    expect(patternKey(["^model.layers.0.self_attn.q_proj"], names[0]!)).toBe("^model.layers.0.self_attn.q_proj")
  })
  it("falls back to r or lora_alpha for a name no key matches", () => {
    expect(patternValue({ v_proj: 8 }, names[0]!, 4)).toBe(4)
    expect(patternValue({ v_proj: 8 }, names[1]!, 4)).toBe(8)
    expect(patternValue(undefined, names[1]!, 4)).toBe(4)
  })
})
