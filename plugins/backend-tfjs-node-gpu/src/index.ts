import { makeTfjsNodePlugin } from "@peftlab/backend-tfjs-node"
import type { BackendPlugin } from "@peftlab/core"

export const plugin: BackendPlugin = makeTfjsNodePlugin({
  name: "tfjs-node-gpu",
  description: "tfjs on TensorFlow's C library built with CUDA (NVIDIA GPUs, Linux) through @tensorflow/tfjs-node-gpu",
  packageName: "@tensorflow/tfjs-node-gpu",
  installNote: "it downloads libtensorflow built with CUDA, and needs an NVIDIA GPU with CUDA and cuDNN",
  resolveFrom: import.meta.url,
  computesOn: "gpu",
})
