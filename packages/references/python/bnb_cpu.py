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


def linear8bit_fixture(seed=0):
    """bitsandbytes' Linear8bitLt on a random layer, as transformers' load_in_8bit builds it
    (threshold 6.0, has_fp16_weights=False): the float layer, its CB and SCB, the eval-mode output
    on an input with outlier columns (one entry over the threshold in column 3, one under it in
    column 10 beside one over), and dx for a given dy; then the same in train mode (bitsandbytes' CPU
    training path, MatMul8bitFp: x times the dequantized weight). For packages/models/test/int8-linear.test.ts:
        .venv-goldens/bin/python packages/references/python/bnb_cpu.py > packages/models/test/goldens/int8-linear-bnb.json
    """
    import bitsandbytes
    import torch
    from bitsandbytes.nn import Linear8bitLt

    torch.manual_seed(seed)
    dense = torch.nn.Linear(40, 24, bias=True)
    quantized = Linear8bitLt(40, 24, bias=True, has_fp16_weights=False, threshold=6.0)
    quantized.load_state_dict(dense.state_dict())
    quantized = quantized.to("cpu").eval()
    x = torch.randn(5, 40) * 2
    x[1, 3] = 7.5
    x[2, 10] = -9.0
    x[4, 10] = 6.0
    x.requires_grad_(True)
    y = quantized(x)
    dy = torch.randn_like(y)
    y.backward(dy)
    dx = x.grad.clone()
    x.grad = None
    y_train = quantized.train()(x)
    y_train.backward(dy)
    return {
        "bitsandbytes": bitsandbytes.__version__,
        "torch": torch.__version__,
        "weight": dense.weight.tolist(),
        "bias": dense.bias.tolist(),
        "x": x.tolist(),
        "CB": quantized.state.CB.tolist(),
        "SCB": quantized.state.SCB.tolist(),
        "y": y.tolist(),
        "dy": dy.tolist(),
        "dx": dx.tolist(),
        "y_train": y_train.tolist(),
        "dx_train": x.grad.tolist(),
    }


if __name__ == "__main__":
    import json
    import logging
    import sys

    # bitsandbytes warns of every float32 input it casts to float16, which is what it computes with.
    logging.disable(logging.WARNING)
    json.dump(linear8bit_fixture(), sys.stdout)
    sys.stdout.write("\n")
