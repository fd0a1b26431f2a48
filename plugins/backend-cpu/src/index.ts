// tfjs's cpu backend: plain JavaScript kernels, always there, the reference to compare against.
import * as tf from "@tensorflow/tfjs"
import { hostDevice, type BackendPlugin } from "@peftlab/core"

export const plugin: BackendPlugin = {
  name: "cpu",
  description: "tfjs cpu backend (pure JavaScript, single thread)",
  probe: async () =>
    tf.findBackendFactory("cpu") !== null
      ? { available: true }
      : { available: false, reason: "this build of @tensorflow/tfjs has no cpu backend registered" },
  setup: async () => {
    // Production mode drops tfjs's debug checks and its "install tfjs-node" banner, which
    // would otherwise interleave with peftlab's own progress output.
    tf.enableProdMode()
    if (!(await tf.setBackend("cpu"))) throw new Error("tfjs could not initialise its cpu backend")
    await tf.ready()
  },
  device: async () => hostDevice(1, "JavaScript"),
  memory: () => ({ tensors: tf.memory().numTensors, tensorBytes: tf.memory().numBytes }),
}
