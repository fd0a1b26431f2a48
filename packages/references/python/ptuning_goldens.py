"""PEFT's side of peftlab's P-tuning goldens (tools/goldens/ptuning.ts): peft_goldens.py's request
and answer (one JSON request on stdin, one JSON answer on stdout, see its docstring), with
"make": {"method": "P_TUNING", ...} also taking "encoder_out": a file into which the made
adapter's prompt encoder parameters go (safetensors, torch's names: embedding.weight,
mlp_head.0.weight, lstm_head.weight_ih_l0, ...), so peftlab's encoder can be checked against the
rows PEFT saved. It reuses peft_goldens.py's base loading, PEFT-made saving and checked loading,
registering PromptEncoderConfig beside its config classes; the logits are PeftModel's forward on
the unpadded batch (P-tuning's forward, like prompt tuning's, ignores position ids), with the
virtual tokens' positions dropped from a decoder-only model's.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import peft_goldens  # noqa: E402
from peft import PromptEncoderConfig, get_peft_model  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

peft_goldens.CONFIGS["P_TUNING"] = PromptEncoderConfig

# PEFT saves P-tuning's rows by running the prompt encoder in whatever mode it is in, and a fresh
# PeftModel's encoder is in training mode: an LSTM with encoder_dropout would save rows with a
# dropout mask drawn into them. The made adapters are put in eval mode before saving, as a trained
# one is evaluated (and as peftlab folds its encoder: without dropout).
peft_goldens.get_peft_model = lambda *args, **kwargs: get_peft_model(*args, **kwargs).eval()


def model_of(case):
    if "load" in case:
        return peft_goldens.loaded(case)
    model = peft_goldens.made(case)
    encoder = model.prompt_encoder["default"]
    save_file({name: value.detach().contiguous() for name, value in encoder.state_dict().items()}, case["make"]["encoder_out"])
    return model


def p_tuning_model(case):
    model = model_of(case)
    if model.active_peft_config.peft_type != "P_TUNING":
        raise SystemExit(f"ptuning_goldens: expected a P_TUNING adapter, got {model.active_peft_config.peft_type}")
    return model


def main():
    peft_goldens.respond(p_tuning_model)


if __name__ == "__main__":
    main()
