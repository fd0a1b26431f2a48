// Floating-point work of one training step or forward pass of the benchmark's Llama models,
// counted the same way for peftlab and PyTorch: 2 flops per multiply-add of every matmul
// (projections, MLP, attention over all key positions, the LM head over the real tokens).
// A training step counts as two forward passes: with the base frozen, the backward pass
// computes gradients for activations only, which costs about what the forward pass does.
import type { Method } from "./workload.ts"

export interface LlamaShape {
  readonly hidden_size: number
  readonly intermediate_size: number
  readonly num_hidden_layers: number
  readonly num_attention_heads: number
  readonly num_key_value_heads: number
  readonly vocab_size: number
}

/** Virtual tokens the prompt and prefix methods add (see workload.ts). */
const virtualTokens = 20

export const forwardFlops = (config: LlamaShape, method: Method, rows: number, seq: number): number => {
  const { hidden_size: d, intermediate_size: f, num_hidden_layers: layers, num_attention_heads: heads, num_key_value_heads: kvHeads, vocab_size: vocab } = config
  const headDim = d / heads
  const queries = seq + (method === "prompt" ? virtualTokens : 0)
  const keys = queries + (method === "prefix" ? virtualTokens : 0)
  const projections = 2 * rows * queries * (2 * d * d + 2 * d * kvHeads * headDim + 3 * d * f)
  const lora = method === "lora" ? 2 * rows * queries * 8 * (3 * d + d + 2 * kvHeads * headDim) : 0
  const attention = 4 * rows * heads * queries * keys * headDim
  return layers * (projections + lora + attention) + 2 * rows * seq * d * vocab
}

export const trainingFlops = (config: LlamaShape, method: Method, rows: number, seq: number): number => 2 * forwardFlops(config, method, rows, seq)
