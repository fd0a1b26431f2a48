// The 16 NormalFloat4 levels of QLoRA (Dettmers et al., 2023), copied from bitsandbytes
// (`get_4bit_type("nf4")` in bitsandbytes/functional.py, the `nf4_data` table of its CUDA kernels):
// quantiles of N(0, 1) rescaled to [-1, 1], with an exact 0. As float32, as bitsandbytes stores them.
export const nf4Levels = Float32Array.of(
  -1.0,
  -0.6961928009986877,
  -0.5250730514526367,
  -0.39491748809814453,
  -0.28444138169288635,
  -0.18477343022823334,
  -0.09105003625154495,
  0.0,
  0.07958029955625534,
  0.16093020141124725,
  0.24611230194568634,
  0.33791524171829224,
  0.44070982933044434,
  0.5626170039176941,
  0.7229568362236023,
  1.0,
)
