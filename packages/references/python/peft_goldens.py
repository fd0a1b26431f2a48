"""PEFT's side of peftlab's adapter goldens (tools/goldens/adapters.ts): one JSON request on stdin,
one JSON answer on stdout.

request: {"cases": [case]}, each case
  {"model": dir, "seq2seq": bool, "ids": [[...]], "mask": [[...]],
   "decoder_ids": [[...]] (seq2seq only), "nf4": bool (base quantized to NF4 by bitsandbytes),
   "int8": bool (base loaded in 8-bit by bitsandbytes: Linear8bitLt, LLM.int8() threshold 6.0),
   "train": bool (logits in train() mode: bitsandbytes' 8-bit layers then multiply by the dequantized weight),
   "record_layers": bool (bare bases only: every 8-bit layer's input and output in the forward pass),
   and either "make": {"method": "LORA" | "PROMPT_TUNING" | "PREFIX_TUNING", "config": {...},
                        "seed": int, "out": dir, "base_name": str, "perturb": float (optional)}
   or "load": dir, or neither: the bare base's logits (a quantized base against peftlab's)}
answer: {"peft", "transformers", "torch", "bitsandbytes": versions,
         "cases": [{"logits": [batch][time][vocab], "layers" (with record_layers): [{"module", "x", "y"}]}]}

The base loads in float32; logits come in eval mode unless the case says train. "make" builds the adapter with PEFT itself under
torch.manual_seed(seed), adds perturb * N(0, 1) to every trainable tensor when "perturb" is set
(as training would: inits such as PiSSA/OLoRA, gaussian and DoRA's start out computing the base),
and saves it with save_pretrained into "out"; "load" reads a folder
peftlab wrote with PeftModel.from_pretrained, failing on any warning about missing or unexpected
keys and on any saved tensor name PEFT's state dict does not have (or has and the file lacks).
Causal logits come from PeftModel's forward with the position ids generate() would give a
padded batch (PEFT offsets them past a prefix itself; prompt tuning's forward ignores them, so its
batches are unpadded), with the virtual tokens' positions dropped.
"""
import json
import logging
import os
import sys
import warnings

# The bases are local folders; PEFT's save_pretrained would otherwise look base_model_name_or_path up on the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import bitsandbytes
import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, PrefixTuningConfig, PromptTuningConfig, get_peft_model, get_peft_model_state_dict
from safetensors.torch import load_file
from bitsandbytes.nn import Linear8bitLt
from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, BitsAndBytesConfig

from bnb_cpu import plain_cpu_nf4

# bitsandbytes' 8-bit forward warns on every call that it casts float32 inputs to float16, which is its arithmetic.
logging.getLogger("bitsandbytes").setLevel(logging.ERROR)

CONFIGS = {"LORA": LoraConfig, "PROMPT_TUNING": PromptTuningConfig, "PREFIX_TUNING": PrefixTuningConfig}


def base_model(case):
    kind = AutoModelForSeq2SeqLM if case["seq2seq"] else AutoModelForCausalLM
    options = {"dtype": torch.float32}
    if case.get("nf4"):
        # Plain NF4 (absmax kept in float32, no double quantization), as peftlab quantizes.
        options["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=False, bnb_4bit_compute_dtype=torch.float32
        )
        options["device_map"] = "cpu"
    if case.get("int8"):
        # transformers' defaults: llm_int8_threshold 6.0, lm_head left in float32, as peftlab quantizes.
        options["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)
        options["device_map"] = "cpu"
    return plain_cpu_nf4(kind.from_pretrained(case["model"], **options).eval())


def made(case):
    make = case["make"]
    config = CONFIGS[make["method"]](**make["config"])
    torch.manual_seed(make["seed"])
    model = get_peft_model(base_model(case), config)
    if make.get("perturb"):
        with torch.no_grad():
            for parameter in model.parameters():
                if parameter.requires_grad:
                    parameter.add_(make["perturb"] * torch.randn_like(parameter))
    model.peft_config["default"].base_model_name_or_path = make["base_name"]
    model.save_pretrained(make["out"])
    # The model card is PEFT's boilerplate, not part of the adapter.
    os.remove(os.path.join(make["out"], "README.md"))
    return model


def loaded(case):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = PeftModel.from_pretrained(base_model(case), case["load"])
    for warning in caught:
        text = str(warning.message)
        if "missing" in text.lower() or "unexpected" in text.lower():
            raise SystemExit(f"peft_goldens: PEFT warned loading {case['load']}: {text}")
        if not issubclass(warning.category, (DeprecationWarning, FutureWarning)):
            print(f"peft_goldens: warning: {text}", file=sys.stderr)
    # PEFT warns of missing keys only; a tensor it does not use loads silently, so compare the names.
    saved = set(load_file(os.path.join(case["load"], "adapter_model.safetensors")).keys())
    used = set(get_peft_model_state_dict(model).keys())
    if saved != used:
        raise SystemExit(f"peft_goldens: {case['load']}: unexpected {sorted(saved - used)}, missing {sorted(used - saved)}")
    return model


def model_logits(model, case):
    """`model`'s logits on the case's batch (eval mode, or train mode where the case says), without the virtual tokens' positions of prompt learning."""
    model.train(case.get("train", False))
    config = getattr(model, "active_peft_config", None)
    ids = torch.tensor(case["ids"], dtype=torch.long)
    mask = torch.tensor(case["mask"], dtype=torch.long)
    with torch.no_grad():
        if case["seq2seq"]:
            decoder_ids = torch.tensor(case["decoder_ids"], dtype=torch.long)
            return model(input_ids=ids, attention_mask=mask, decoder_input_ids=decoder_ids).logits.tolist()
        if config is not None and config.peft_type in (peft.PeftType.PROMPT_TUNING, peft.PeftType.P_TUNING):
            out = model(input_ids=ids, attention_mask=mask).logits
            return out[:, config.num_virtual_tokens :].tolist()
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        return model(input_ids=ids, attention_mask=mask, position_ids=positions).logits.tolist()


def recorded_layers(model):
    """The list that hooks on every 8-bit layer of `model` fill, per call, with its name, input and output as [rows, features]."""
    records = []

    def record(name):
        return lambda module, args, out: records.append(
            {"module": name, "x": args[0].reshape(-1, args[0].shape[-1]).tolist(), "y": out.reshape(-1, out.shape[-1]).tolist()}
        )

    for name, module in model.named_modules():
        if isinstance(module, Linear8bitLt):
            module.register_forward_hook(record(name))
    return records


def answered(model, case):
    """The case's answer: `model`'s logits, and with record_layers its 8-bit layers' inputs and outputs."""
    layers = recorded_layers(model) if case.get("record_layers") else None
    logits = model_logits(model, case)
    return {"logits": logits, **({"layers": layers} if layers is not None else {})}


def respond(model_of):
    """Reads the request on stdin, writes each case's logits (of `model_of(case)`) and the stack's versions on stdout."""
    request = json.load(sys.stdin)
    answer = {
        "peft": peft.__version__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "bitsandbytes": bitsandbytes.__version__,
        "cases": [answered(model_of(case), case) for case in request["cases"]],
    }
    json.dump(answer, sys.stdout)


def main():
    respond(lambda case: (made if "make" in case else loaded if "load" in case else base_model)(case))


if __name__ == "__main__":
    main()
