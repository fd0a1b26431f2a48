import { describe, expect, it } from "vitest"
import { checkLoraConfig, loraScale, targetedModules, type LoraConfig } from "../src/index.ts"

const names = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.k_proj", "model.layers.0.self_attn.v_proj", "model.layers.0.mlp.up_proj", "lm_head"]
const config: LoraConfig = { r: 4, loraAlpha: 8, loraDropout: 0, targetModules: ["q_proj"], useRslora: false, bias: "none" }

describe("loraScale", () => {
  it("is alpha / r, or alpha / sqrt(r) with rslora", () => {
    expect(loraScale({ r: 4, loraAlpha: 8, useRslora: false })).toBe(2)
    expect(loraScale({ r: 4, loraAlpha: 8, useRslora: true })).toBe(4)
  })
})

describe("targetedModules", () => {
  it("matches list entries on the last name segment (or the whole name)", () => {
    expect(targetedModules(names, ["q_proj", "v_proj"])).toEqual([names[0], names[2]])
    expect(targetedModules(names, ["lm_head", "proj"])).toEqual(["lm_head"])
  })
  it("matches a regex string against the whole module name, as PEFT's re.fullmatch", () => {
    expect(targetedModules(names, ".*\\.(q_proj|v_proj)")).toEqual([names[0], names[2]])
    expect(targetedModules(names, "q_proj|v_proj")).toEqual([])
    expect(targetedModules(names, ".*_proj")).toEqual(names.slice(0, 4))
  })
})

describe("checkLoraConfig", () => {
  it("accepts a valid config and rejects a bad rank, dropout or bias", () => {
    expect(() => checkLoraConfig(config)).not.toThrow()
    expect(() => checkLoraConfig({ ...config, r: 0 })).toThrow(/r must be a positive integer/)
    expect(() => checkLoraConfig({ ...config, r: 2.5 })).toThrow(RangeError)
    expect(() => checkLoraConfig({ ...config, loraDropout: 1 })).toThrow(/loraDropout/)
    expect(() => checkLoraConfig({ ...config, bias: "all" as "none" })).toThrow(/bias/)
  })
})
