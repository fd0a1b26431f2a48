// What no single tensor may exceed on the device: one binding (@peftlab/gpu-kernels'
// deviceBindingLimit: maxStorageBufferBindingSize, 128 MiB on lavapipe, or a limit forced low
// by tests). A tensor over it fails Dawn's validation at its first use, with a message naming
// neither the tensor nor the limit; the uses that cannot be split (a float32 copy of a whole
// matrix, full logits returned as one tensor) check here first and refuse with a typed error.
import { deviceBindingLimit } from "@peftlab/gpu-kernels"

export class BindingLimitError extends RangeError {
  override readonly name = "BindingLimitError"
  /** What would have been built, e.g. `model.embed_tokens.weight as float32`. */
  readonly tensor: string
  readonly bytes: number
  readonly limit: number
  constructor(tensor: string, bytes: number, limit: number, hint = "") {
    super(`${tensor} would take ${bytes} bytes, over the ${limit}-byte limit of one binding on this device (maxStorageBufferBindingSize)${hint ? `: ${hint}` : ""}`)
    this.tensor = tensor
    this.bytes = bytes
    this.limit = limit
  }
}

/** Throws BindingLimitError when a tensor of `bytes` would not fit one binding (never where there is no limit). */
export const checkBinding = (tensor: string, bytes: number, hint?: string): void => {
  const limit = deviceBindingLimit()
  if (limit !== undefined && bytes > limit) throw new BindingLimitError(tensor, bytes, limit, hint)
}
