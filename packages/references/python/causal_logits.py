"""Logits of Hugging Face causal LMs, for peftlab's goldens: one JSON request on stdin, one JSON
answer on stdout.

request: {"cases": [{"dir": ..., "ids": [[...]], "mask": [[...]]}]}
answer:  {"transformers": version, "torch": version, "cases": [{"logits": [batch][time][vocab]}]}

Each model runs in float32 in eval mode, with the position ids generate() would give a padded
batch (the cumulative sum of the attention mask), which peftlab's forward pass uses too.
"""
import json
import sys

import torch
import transformers
from transformers import AutoModelForCausalLM


def logits(case):
    model = AutoModelForCausalLM.from_pretrained(case["dir"], torch_dtype=torch.float32)
    model.eval()
    ids = torch.tensor(case["ids"], dtype=torch.long)
    mask = torch.tensor(case["mask"], dtype=torch.long)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, position_ids=positions)
    return out.logits.tolist()


def main():
    request = json.load(sys.stdin)
    answer = {
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "cases": [{"logits": logits(case)} for case in request["cases"]],
    }
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
