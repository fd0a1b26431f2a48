// P-tuning against PEFT itself (goldens/cases.ts; tools/goldens/ptuning.ts writes the fixtures):
// adapters PEFT made load and give PEFT's logits, and adapters peftlab writes (fresh, trained
// through the encoder, folded) give, read back, the logits PEFT computed from the same files,
// within 1e-4 (peftGoldenTolerance). Each PEFT-made case also checks peftlab's prompt encoder:
// fed PEFT's own encoder parameters, it gives the rows PEFT saved.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { expect } from "vitest"
import { readSafetensors } from "@peftlab/models"
import { describePeftGoldens } from "@peftlab/testkit/peft-goldens-suite"
import { createPromptEncoder, loadPTuning, type PTuning, type ReparameterizationType } from "../src/index.ts"
import { encoderFile, peftlabMade, peftMade } from "./goldens/cases.ts"

describePeftGoldens({
  packageDir: `${import.meta.dirname}/..`,
  peftMade,
  peftlabMade,
  load: loadPTuning,
  inspect: async (name, model, adapter) => {
    const golden = peftMade.find((c) => c.name === name)!
    const config = golden.config as { num_virtual_tokens: number; num_transformer_submodules?: number; encoder_reparameterization_type?: ReparameterizationType; encoder_hidden_size?: number; encoder_num_layers?: number }
    const parameters = await Effect.runPromise(readSafetensors(encoderFile(name)))
    // PEFT's encoder runs over every set of rows it saves (two for T5 by default); the forward reads the first.
    const virtual = parameters.get("embedding.weight")!.shape[0]!
    const encoder = createPromptEncoder(
      {
        virtual,
        tokenDim: model.dims.hidden_size,
        hidden: config.encoder_hidden_size ?? model.dims.hidden_size,
        type: config.encoder_reparameterization_type ?? "MLP",
        layers: config.encoder_num_layers ?? 2,
      },
      (spec, parameter) => {
        const value = parameters.get(parameter)
        expect(value?.shape, parameter).toEqual(spec.shape)
        return tf.tensor(value!.data, value!.shape)
      },
    )
    // Every parameter PEFT's encoder has, and no other.
    expect([...encoder.parameters.keys()].sort()).toEqual([...parameters.keys()].sort())
    const ours = encoder.rows()
    const loaded = (adapter as PTuning).promptRows()
    const diff = tf.tidy(() => tf.max(tf.abs(ours.slice([0, 0], [config.num_virtual_tokens, -1]).sub(loaded))).dataSync()[0]!)
    console.log(`${name}: max |peftlab encoder - PEFT's saved rows| = ${diff.toExponential(2)}`)
    expect(diff).toBeLessThan(1e-5)
    tf.dispose([ours, loaded])
    encoder.dispose()
  },
})
