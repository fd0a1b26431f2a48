// LoRA (Hu et al., 2021) as an Adapter: each targeted linear projection of the frozen model
// gets a trainable low-rank update. The wrapped modules go into the model's `linears` only for
// the length of a call (see withLinears), so several adapters can share one base model.
import * as tfOps from "@tensorflow/tfjs"
import type * as tf from "@tensorflow/tfjs"
import { peftTaskType, type Adapter } from "@peftlab/adapters-base"
import type { Rng } from "@peftlab/core"
import type { BaseModel, Linear } from "@peftlab/models"
import { checkLoraConfig, loraScale, loraTensorNames, moduleRankAndScale, targetedModules, type LoraConfig } from "./config.ts"
import { isSubtractedInit } from "./layer/init.ts"
import { loraLinear, type LoraLinear } from "./layer/lora-linear.ts"

export interface LoraAdapter extends Adapter {
  readonly config: LoraConfig
  /** The factor on the branch at r and lora_alpha; a module under rank_pattern or alpha_pattern has its own `scale`. */
  readonly scale: number
  /** The wrapped modules by HF module name, in the model's order. */
  readonly modules: ReadonlyMap<string, LoraLinear>
  /** Dropout on (training) or off (evaluation, the default), as PEFT's module.train()/eval(). */
  setTraining(on: boolean): void
  /** LoRA+: each variable's factor on the learning rate (B and DoRA's magnitude at loraplus_lr_ratio); undefined without LoRA+. */
  learningRateScales(): ReadonlyMap<tf.Variable, number> | undefined
  /** Folds every update into a copy of its base weight (see LoraLinear.merge). */
  merge(): void
  unmerge(): void
  /**
   * PiSSA and LoftQ: every module becomes the plain LoRA of rank 2r it is saved as (LoraLinear.toPlainLora),
   * so what training left can be read back into this adapter; a no-op for other inits and once done.
   */
  convertToPlainLora(): void
}

/**
 * What PEFT's save_pretrained(path_initial_model_for_weight_conversion=...) writes into
 * adapter_config.json for the rank-2r adapter: init_lora_weights true, r and every rank_pattern
 * value doubled, lora_alpha doubled (times sqrt 2 with rsLoRA, so the scale stays) and every
 * alpha_pattern value doubled.
 */
const convertedConfigFields = (config: LoraConfig) => ({
  init_lora_weights: true,
  r: 2 * config.r,
  lora_alpha: config.useRslora ? config.loraAlpha * Math.SQRT2 : 2 * config.loraAlpha,
  ...(config.rankPattern && { rank_pattern: Object.fromEntries(Object.entries(config.rankPattern).map(([key, r]) => [key, 2 * r])) }),
  ...(config.alphaPattern && { alpha_pattern: Object.fromEntries(Object.entries(config.alphaPattern).map(([key, alpha]) => [key, 2 * alpha])) }),
})

const listOrString = (value: ReadonlyArray<string> | string): string[] | string => (typeof value === "string" ? value : [...value])

export const createLora = (model: BaseModel, config: LoraConfig, rng: Rng): LoraAdapter => {
  checkLoraConfig(config)
  const names = targetedModules(model.linears.keys(), config)
  if (names.length === 0) {
    throw new RangeError(`target modules ${JSON.stringify(config.targetModules)} match none of the model's linear modules`)
  }
  if (isSubtractedInit(config.initLoraWeights) && config.useRslora && (config.rankPattern || config.alphaPattern)) {
    // PEFT's conversion refuses this too: alpha_pattern doubled does not keep an rsLoRA scale.
    throw new RangeError(`init_lora_weights "${String(config.initLoraWeights)}" with use_rslora and rank_pattern or alpha_pattern cannot be saved as PEFT converts it (PEFT refuses the same)`)
  }
  const scale = loraScale(config)
  const modules = new Map(
    names.map((name) => [
      name,
      loraLinear(model.linears.get(name) as Linear, {
        ...moduleRankAndScale(config, name),
        dropout: config.loraDropout,
        rng,
        ...(config.initLoraWeights !== undefined && { init: config.initLoraWeights }),
        ...(config.loftqIterations !== undefined && { loftqIterations: config.loftqIterations }),
        ...(config.useDora && { useDora: true }),
      }),
    ]),
  )
  const each = (f: (module: LoraLinear) => void) => () => modules.forEach(f)
  const converting = isSubtractedInit(config.initLoraWeights)
  // An unconverted PiSSA or LoftQ adapter's saved tensors are computed ([A; A₀], [B, -B₀]); this adapter owns them until the next save or dispose.
  let exported: Array<tf.Tensor> = []
  const savedFactors = (m: LoraLinear): { a: tf.Tensor; b: tf.Tensor } => {
    if (!m.initial) return { a: m.loraA, b: m.loraB }
    const a = tfOps.concat([m.loraA, m.initial.a], 0)
    const b = tfOps.tidy(() => tfOps.concat([m.loraB, m.initial!.b.neg()], 1))
    exported.push(a, b)
    return { a, b }
  }

  return {
    peftType: "LORA",
    config,
    scale,
    modules,
    get trainable() {
      return [...modules.values()].flatMap((m) => [m.loraA, m.loraB, ...(m.magnitude ? [m.magnitude] : [])])
    },
    convertToPlainLora: () => modules.forEach((m, name) => m.toPlainLora && modules.set(name, m.toPlainLora())),
    inject: (base) => {
      if (base !== model) throw new Error("this LoRA adapter wraps another model's modules")
      return { linears: modules }
    },
    learningRateScales: () => {
      const ratio = config.loraplusLrRatio
      if (ratio === undefined) return undefined
      // PEFT's groups: lora_B and every 1-D parameter (the magnitude) at lr * ratio, the rest (A) at lr.
      return new Map([...modules.values()].flatMap((m): Array<[tf.Variable, number]> => [[m.loraA, 1], [m.loraB, ratio], ...(m.magnitude ? [[m.magnitude, ratio] as [tf.Variable, number]] : [])]))
    },
    setTraining: (on) => modules.forEach((m) => (m.training = on)),
    merge: each((m) => m.merge()),
    unmerge: each((m) => m.unmerge()),
    peftConfig: () => ({
      peft_type: "LORA",
      task_type: peftTaskType(model),
      r: config.r,
      lora_alpha: config.loraAlpha,
      lora_dropout: config.loraDropout,
      target_modules: typeof config.targetModules === "string" ? config.targetModules : [...config.targetModules],
      use_rslora: config.useRslora,
      use_dora: config.useDora ?? false,
      init_lora_weights: config.initLoraWeights ?? true,
      // PEFT's selection and pattern fields, written only when set (PEFT reads an absent one as its default).
      ...(config.rankPattern && { rank_pattern: { ...config.rankPattern } }),
      ...(config.alphaPattern && { alpha_pattern: { ...config.alphaPattern } }),
      ...(config.excludeModules !== undefined && { exclude_modules: listOrString(config.excludeModules) }),
      ...(config.layersToTransform !== undefined && { layers_to_transform: typeof config.layersToTransform === "number" ? config.layersToTransform : [...config.layersToTransform] }),
      ...(config.layersPattern !== undefined && { layers_pattern: listOrString(config.layersPattern) }),
      bias: "none",
      // GPT-2 stores its projections as Conv1D [in, out]; PEFT records that, the A and B shapes are the same.
      fan_in_fan_out: model.architecture === "gpt2",
      base_model_name_or_path: config.baseModelNameOrPath ?? null,
      inference_mode: true,
      ...(converting && convertedConfigFields(config)),
    }),
    peftTensors: () => {
      tfOps.dispose(exported)
      exported = []
      return new Map(
        [...modules].flatMap(([name, m]): Array<[string, tf.Tensor]> => {
          const names = loraTensorNames(name)
          const { a, b } = savedFactors(m)
          return [[names.a, a], [names.b, b], ...(m.magnitude ? [[names.magnitude, m.magnitude] as [string, tf.Tensor]] : [])]
        }),
      )
    },
    dispose: () => {
      tfOps.dispose(exported)
      modules.forEach((m) => m.dispose())
    },
  }
}
