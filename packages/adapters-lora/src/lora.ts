// LoRA (Hu et al., 2021) as an Adapter: each targeted linear projection of the frozen model
// gets a trainable low-rank update. The wrapped modules go into the model's `linears` only for
// the length of a call (see withLinears), so several adapters can share one base model.
import type * as tf from "@tensorflow/tfjs"
import { peftTaskType, type Adapter } from "@peftlab/adapters-base"
import type { Rng } from "@peftlab/core"
import type { BaseModel, Linear } from "@peftlab/models"
import { checkLoraConfig, loraScale, loraTensorNames, moduleRankAndScale, targetedModules, type LoraConfig } from "./config.ts"
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
}

const listOrString = (value: ReadonlyArray<string> | string): string[] | string => (typeof value === "string" ? value : [...value])

export const createLora = (model: BaseModel, config: LoraConfig, rng: Rng): LoraAdapter => {
  checkLoraConfig(config)
  const names = targetedModules(model.linears.keys(), config)
  if (names.length === 0) {
    throw new RangeError(`target modules ${JSON.stringify(config.targetModules)} match none of the model's linear modules`)
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
        ...(config.useDora && { useDora: true }),
      }),
    ]),
  )
  const each = (f: (module: LoraLinear) => void) => () => modules.forEach(f)

  return {
    peftType: "LORA",
    config,
    scale,
    modules,
    trainable: [...modules.values()].flatMap((m) => [m.loraA, m.loraB, ...(m.magnitude ? [m.magnitude] : [])]),
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
    }),
    peftTensors: () =>
      new Map(
        [...modules].flatMap(([name, m]): Array<[string, tf.Tensor]> => {
          const names = loraTensorNames(name)
          return [[names.a, m.loraA], [names.b, m.loraB], ...(m.magnitude ? [[names.magnitude, m.magnitude] as [string, tf.Tensor]] : [])]
        }),
      ),
    dispose: each((m) => m.dispose()),
  }
}
