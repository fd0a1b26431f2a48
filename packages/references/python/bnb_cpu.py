"""bitsandbytes' NF4 on the CPU as the references run it, the same on every CPU.

On a CPU with AVX512-BF16 (Zen 4, Sapphire Rapids), bitsandbytes 0.50 repacks each 4-bit weight
for its own kernel at the first forward: that path computes in bfloat16 and needs out_features
divisible by 32 (stories260k's MLP has 172, so it fails with "N must be divisible by block_n").
The references switch it off, so that every CPU runs bitsandbytes' plain NF4 path: dequantize
the blocks, then multiply in bnb_4bit_compute_dtype (float32), which is what peftlab computes.
"""
from bitsandbytes.nn import Linear4bit


def plain_cpu_nf4(model):
    """`model` with every Linear4bit on bitsandbytes' plain CPU path; returns it."""
    for module in model.modules():
        if isinstance(module, Linear4bit):
            module.support_avx512bf16_for_cpu = False
    return model
