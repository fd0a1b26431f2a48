"""PEFT's side of peftlab's merge goldens (tools/goldens/merge.ts) and of their live re-check
(merge-peft.test.ts): one JSON request on stdin, one JSON answer on stdout.

request: {"cases": [case]} (peft-script.ts's envelope), each case either
  {"make": {"models": {"F32": dir, "BF16": dir}, "config": {...}, "seed": int, "perturb": float,
            "base_name": str, "adapter": dir, "merged": {"F32": dir, "BF16": dir}}, "tensors": file}
    PEFT builds the LoRA adapter over the float32 base as peft_goldens.py makes its cases (under
    torch.manual_seed(seed), perturb * N(0, 1) added to every trainable tensor: B starts at zero,
    DoRA's magnitude at the norms), saves it into "adapter", then for each base dtype loads that base in its own dtype, loads the
    adapter with PeftModel.from_pretrained, runs merge_and_unload() and save_pretrained into
    "merged"; the targeted modules' merged weights go to "tensors" (appended, as "<name>/<dtype>/<tensor>"
    under the case's "name") and the answer holds each merged folder's layout.
  or {"check": {"model": dir, "dtype": "F32" | "BF16", "adapter": dir, "merged": dir, "ids", "mask"}}
    the logits of PEFT's merge of "adapter" onto "model" (made in the base's dtype, as above) and of
    transformers' AutoModelForCausalLM.from_pretrained("merged") (peftlab's merged folder), both
    run in float32 on the padded batch with generate()'s position ids.
answer: {"peft", "transformers", "torch": versions, "cases": [{"layouts": {dtype: layout}, "merged": [module]}
         | {"peft_logits", "merged_logits"}]}, a layout being {"files": {file: {tensor: dtype}}, "digests": {tensor: digest}, "index": index.json or null}.
"""
import hashlib
import json
import os
import sys

# The bases are local folders; PEFT's save_pretrained would otherwise look base_model_name_or_path up on the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import peft
import torch
import transformers
from peft import PeftModel
from peft.tuners.lora import LoraLayer
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM

import peft_goldens

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16}


def base_model(model_dir, dtype):
    return AutoModelForCausalLM.from_pretrained(model_dir, dtype=DTYPES[dtype]).eval()


def make_adapter(make):
    """The adapter as peft_goldens.py makes its PEFT-made cases: seeded init, perturbed, saved without the model card."""
    peft_goldens.made({"model": make["models"]["F32"], "seq2seq": False, "make": {**make, "method": "LORA", "out": make["adapter"]}})


def peft_merged(model_dir, dtype, adapter_dir):
    """PEFT's merge_and_unload of the adapter onto the base loaded in `dtype`, and the modules it merged."""
    model = PeftModel.from_pretrained(base_model(model_dir, dtype), adapter_dir)
    merged = sorted(name for name, module in model.base_model.model.named_modules() if isinstance(module, LoraLayer))
    return model.merge_and_unload(), merged


def digest(tensor):
    """The first 16 hex digits of sha256 over the tensor's values as little-endian float32 (bf16 widens exactly)."""
    return hashlib.sha256(tensor.float().contiguous().numpy().astype("<f4").tobytes()).hexdigest()[:16]


def layout(folder):
    """What save_pretrained wrote: each weights file's tensors and dtypes, every tensor's digest, the index if any."""
    files, digests = {}, {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".safetensors"):
            with safe_open(os.path.join(folder, name), "pt") as f:
                files[name] = {key: f.get_slice(key).get_dtype() for key in f.keys()}
                digests.update({key: digest(f.get_tensor(key)) for key in f.keys()})
    index_path = os.path.join(folder, "model.safetensors.index.json")
    if not os.path.exists(index_path):
        return {"files": files, "digests": digests, "index": None}
    with open(index_path) as f:
        return {"files": files, "digests": digests, "index": json.load(f)}


def made(case, tensors):
    make = case["make"]
    make_adapter(make)
    layouts, merged_modules = {}, []
    for dtype, model_dir in make["models"].items():
        model, merged_modules = peft_merged(model_dir, dtype, make["adapter"])
        model.save_pretrained(make["merged"][dtype])
        state = model.state_dict()
        for module in merged_modules:
            tensors[f"{case['name']}/{dtype}/{module}.weight"] = state[f"{module}.weight"].detach().clone().contiguous()
        layouts[dtype] = layout(make["merged"][dtype])
    return {"layouts": layouts, "merged": merged_modules}


def logits(model, check):
    ids = torch.tensor(check["ids"], dtype=torch.long)
    mask = torch.tensor(check["mask"], dtype=torch.long)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        return model.float()(input_ids=ids, attention_mask=mask, position_ids=positions).logits.tolist()


def checked(case):
    check = case["check"]
    model, _ = peft_merged(check["model"], check["dtype"], check["adapter"])
    theirs = AutoModelForCausalLM.from_pretrained(check["merged"], dtype=torch.float32).eval()
    return {"peft_logits": logits(model.eval(), check), "merged_logits": logits(theirs, check)}


def main():
    request = json.load(sys.stdin)
    tensors = {}
    cases = [made(case, tensors) if "make" in case else checked(case) for case in request["cases"]]
    outs = {case["tensors"] for case in request["cases"] if "make" in case}
    for out in outs:
        save_file(tensors, out)
    json.dump({"peft": peft.__version__, "transformers": transformers.__version__, "torch": torch.__version__, "cases": cases}, sys.stdout)


if __name__ == "__main__":
    main()
