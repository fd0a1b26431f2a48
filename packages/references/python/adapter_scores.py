"""PEFT's label scores for a classification adapter, the Python side of the adapter round trip
(tools/ci/adapter-round-trip.ts): one JSON request on stdin, one JSON answer on stdout.

request: {"model": dir, "adapter": dir, "quantize": "nf4" | null,
          "examples": [{"prompt": [ids], "labels": [[ids], ...]}]}
answer:  {"peft": version, "transformers": version, "torch": version, "bitsandbytes": version | null,
          "scores": [[log p(label | prompt) per label] per example]}

The base loads in float32 (over bitsandbytes' NF4, blocksize 64, float32 compute, for
"quantize": "nf4"), the adapter through PeftModel.from_pretrained in eval mode, and a label's
score is the sum of its tokens' log-probabilities after the prompt: what peftlab's scoreLabels
computes. Each example runs alone, unpadded, so nothing here depends on peftlab's batching.

The request can also ask for adapters made by PEFT itself ("make": [{"kind", "dir", "seed"}]):
each is created on the model with random, non-zero weights and saved with save_pretrained, for
peftlab to evaluate.
"""
import json
import sys
import warnings

import torch
import transformers
import peft
from peft import LoraConfig, PeftModel, PrefixTuningConfig, PromptTuningConfig, TaskType, get_peft_model
from transformers import AutoModelForCausalLM

from bnb_cpu import plain_cpu_nf4


def load_base(model_dir, quantize):
    if quantize is None:
        return AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    if quantize != "nf4":
        raise SystemExit(f"adapter_scores: quantize {quantize!r} is not one this script reproduces (nf4)")
    config = transformers.BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32, bnb_4bit_use_double_quant=False
    )
    return plain_cpu_nf4(AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, quantization_config=config, device_map={"": "cpu"}))


def label_scores(model, prompt, labels):
    scores = []
    for label in labels:
        ids = torch.tensor([prompt + label], dtype=torch.long)
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0]
        # Prompt tuning prepends its virtual tokens' positions to the logits: keep the real ones.
        logits = logits[logits.shape[0] - ids.shape[1] :]
        log_probs = torch.log_softmax(logits.double(), dim=-1)
        start = len(prompt)
        scores.append(sum(log_probs[start - 1 + k, token].item() for k, token in enumerate(label)))
    return scores


def make_adapter(model_dir, spec):
    """A PEFT adapter of spec["kind"] on the model, random and non-zero, saved to spec["dir"]."""
    torch.manual_seed(spec["seed"])
    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    kind = spec["kind"]
    if kind == "lora":
        config = LoraConfig(
            task_type=TaskType.CAUSAL_LM, r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False
        )
    elif kind == "prompt":
        config = PromptTuningConfig(task_type=TaskType.CAUSAL_LM, num_virtual_tokens=6)
    elif kind == "prefix":
        config = PrefixTuningConfig(task_type=TaskType.CAUSAL_LM, num_virtual_tokens=6)
    else:
        raise SystemExit(f"adapter_scores: no adapter kind {kind!r} to make (lora, prompt, prefix)")
    model = get_peft_model(base, config)
    if kind != "lora":
        # PEFT's default prompt/prefix init is already random (nn.Embedding's normal); scale it
        # to the model's embedding size so scores move visibly.
        with torch.no_grad():
            for parameter in model.prompt_encoder.parameters():
                parameter.mul_(0.5)
    model.save_pretrained(spec["dir"])


def bitsandbytes_version():
    try:
        import bitsandbytes

        return bitsandbytes.__version__
    except ImportError:
        return None


def main():
    request = json.load(sys.stdin)
    for spec in request.get("make", []):
        make_adapter(request["model"], spec)
    answer = {
        "peft": peft.__version__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "bitsandbytes": bitsandbytes_version(),
    }
    if "adapter" in request:
        with warnings.catch_warnings():
            # A key PEFT cannot place is a failed round trip, not a warning to scroll past.
            warnings.filterwarnings("error", message=".*(missing|unexpected).*", category=UserWarning)
            model = PeftModel.from_pretrained(load_base(request["model"], request.get("quantize")), request["adapter"])
        model.eval()
        answer["scores"] = [label_scores(model, e["prompt"], e["labels"]) for e in request["examples"]]
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
