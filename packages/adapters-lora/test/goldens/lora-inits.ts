// What the PiSSA and LoftQ init goldens ask PEFT for (tools/goldens/lora-inits.ts writes them, the
// lora-inits test reads them): every projection of the goldens' tiny Llama, r 4; lora_alpha 4 so the
// scale is 1, where LoftQ's base + B A approximates W (PEFT does not divide LoftQ's factors by the scale).
export const loraInitGoldens = {
  request: {
    target_modules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    r: 4,
    lora_alpha: 4,
    loftq_iters: [1, 3],
  },
  tensorsFile: "lora-inits.safetensors",
  versionsFile: "lora-inits.json",
} as const
