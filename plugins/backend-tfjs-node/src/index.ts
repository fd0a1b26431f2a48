import type { BackendPlugin } from "@peftlab/core"
import { makeTfjsNodePlugin } from "./tfjs-node-plugin.ts"

export { makeTfjsNodePlugin, type TfjsNodeFlavour } from "./tfjs-node-plugin.ts"

export const plugin: BackendPlugin = makeTfjsNodePlugin({
  name: "tfjs-node",
  description: "tfjs on TensorFlow's C library (libtensorflow, CPU) through @tensorflow/tfjs-node",
  packageName: "@tensorflow/tfjs-node",
  installNote: "it downloads libtensorflow",
  resolveFrom: import.meta.url,
  computesOn: "cpu",
})
