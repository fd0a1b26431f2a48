// @peftlab/adapters-ptuning: P-tuning (PEFT's P_TUNING) as an Adapter and as the built-in method of `kind: p-tuning` arms.
export * from "./config.ts"
export { createPromptEncoder, promptEncoderParameters, torchInitialValues, type ParameterSpec, type PromptEncoder, type PromptEncoderShape } from "./prompt-encoder.ts"
export { createPTuning, pTuningTensorName, pTuningWith, type PTuning } from "./p-tuning.ts"
export { loadPTuning } from "./load.ts"
export * from "./peft-config.ts"
export * from "./method.ts"
