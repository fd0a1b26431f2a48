"""PEFT's side of peftlab's PiSSA and LoftQ init goldens (tools/goldens/lora-inits.ts): one JSON
request on stdin, a safetensors fixture written to request["out"], the stack's versions on stdout.

request: {"cases": [{"model": dir (a float32 causal LM), "target_modules": [...], "r": int, "lora_alpha": number,
          "loftq_iters": [int, ...], "out": file}]} (peft-script.ts's envelope, one case)
fixture tensors, for each targeted module <name> (HF module name):
  svd.<name>.s                 torch.linalg.svd(W).S, computed in float64, stored float32
  pissa.<name>.residual        the frozen weight PEFT's pissa_init leaves (float32)
  pissa.<name>.update          scale * lora_B @ lora_A after pissa_init
  loftq<N>.<name>.base         the frozen weight PEFT's loftq_init leaves (dequantized NF4), loftq_iter N
  loftq<N>.<name>.update       scale * lora_B @ lora_A after loftq_init
and svd.wide.a / svd.wide.s, svd.tall.a / svd.tall.s: a random [30, 40] and [40, 30] matrix and their S (float32 safetensors: peftlab reads F32).

PEFT 0.21.2's loftq_init moves the weight to "cuda" (or "xpu") to quantize it with bitsandbytes:
this script runs PEFT's own function with that one line changed to "cpu" (bitsandbytes 0.50's
CPU quantize_4bit / dequantize_4bit: NF4, blocks of 64, float32 absmax, as peftlab's NF4), so
everything else in the loop is PEFT's.
"""
import inspect
import json
import os
import sys
import textwrap

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import bitsandbytes
import peft
import peft.tuners.lora.layer as lora_layer
import peft.utils.loftq_utils as loftq_utils
import torch
import transformers
from peft import LoftQConfig, LoraConfig, get_peft_model
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM

COMPUTE_DEVICE_LINE = 'compute_device = "xpu" if is_xpu_available() else "cuda"'


def cpu_loftq_init():
    """PEFT's loftq_init with its compute device set to the CPU."""
    source = textwrap.dedent(inspect.getsource(loftq_utils.loftq_init))
    if COMPUTE_DEVICE_LINE not in source:
        raise SystemExit("lora_init_goldens: PEFT's loftq_init no longer picks its device as this script expects")
    namespace = dict(vars(loftq_utils))
    exec(source.replace(COMPUTE_DEVICE_LINE, 'compute_device = "cpu"'), namespace)
    return namespace["loftq_init"]


lora_layer.loftq_init = cpu_loftq_init()


def base_model(request):
    return AutoModelForCausalLM.from_pretrained(request["model"], dtype=torch.float32).eval()


def initialised(request, prefix, config, tensors, frozen_name):
    model = get_peft_model(base_model(request), config)
    for name, module in model.base_model.model.named_modules():
        if isinstance(module, lora_layer.Linear):
            with torch.no_grad():
                tensors[f"{prefix}.{name}.{frozen_name}"] = module.get_base_layer().weight.detach().clone().contiguous()
                update = module.scaling["default"] * module.lora_B["default"].weight @ module.lora_A["default"].weight
                tensors[f"{prefix}.{name}.update"] = update.detach().contiguous()


def main():
    request = json.load(sys.stdin)["cases"][0]
    tensors = {}
    common = {"task_type": "CAUSAL_LM", "r": request["r"], "lora_alpha": request["lora_alpha"], "target_modules": request["target_modules"]}
    model = base_model(request)
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) and name.split(".")[-1] in request["target_modules"]:
            tensors[f"svd.{name}.s"] = torch.linalg.svd(module.weight.detach().double(), full_matrices=False).S.float().contiguous()
    generator = torch.Generator().manual_seed(11)
    for kind, shape in (("wide", (30, 40)), ("tall", (40, 30))):
        a = torch.randn(shape, generator=generator)
        tensors[f"svd.{kind}.a"] = a
        tensors[f"svd.{kind}.s"] = torch.linalg.svd(a.double(), full_matrices=False).S.float().contiguous()
    initialised(request, "pissa", LoraConfig(**common, init_lora_weights="pissa"), tensors, "residual")
    for iterations in request["loftq_iters"]:
        config = LoraConfig(**common, init_lora_weights="loftq", loftq_config=LoftQConfig(loftq_bits=4, loftq_iter=iterations))
        initialised(request, f"loftq{iterations}", config, tensors, "base")
    save_file(tensors, request["out"])
    json.dump({"peft": peft.__version__, "transformers": transformers.__version__, "torch": torch.__version__, "bitsandbytes": bitsandbytes.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
