"""What transformers computes on peftlab's golden checkpoints, for the model goldens: one JSON
request on stdin, one JSON answer on stdout, every case in this one process.

request: {"cases": [case]}, each case one of
  {"kind": "causal", "dir", "ids", "mask", "labels"?, "generate"?}
  {"kind": "seq2seq", "dir", "ids", "mask", "decoder_ids", "labels"?, "generate"?}
  {"kind": "encoder", "dir", "ids", "mask", "token_type_ids"?}
answer:  {"transformers": version, "torch": version, "cases": [result]}, each result holding what
  applies to its kind:
  logits     [batch][time][vocab]: causal; seq2seq (the decoder's, for decoder_ids)
  hidden     [batch][time][hidden]: the last hidden states of encoders and of T5's encoder
  pooled     [batch][hidden]: BERT's pooler output, when the checkpoint has one
  loss       the mean cross-entropy with `labels` (-100 marks tokens left out): causal
             (transformers shifts them), seq2seq (decoder input = labels shifted right)
  generated  [batch][new tokens]: greedy generation of `generate` new tokens with the key/value
             cache, no end-of-sequence stop

Each model runs in float32 in eval mode. Causal rows may be left-padded: their position ids are
the ones generate() gives a padded batch (the cumulative sum of the attention mask, less one),
which peftlab's forward pass uses too.
"""
import json
import sys

import torch
import transformers
from transformers import AutoModel, AutoModelForCausalLM, AutoModelForSeq2SeqLM, DynamicCache, EncoderDecoderCache


def tensor(rows):
    return torch.tensor(rows, dtype=torch.long)


def greedy(model, n, **inputs):
    """`n` new tokens by greedy search with the cache, ignoring end-of-sequence ids."""
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    return model.generate(**inputs, max_new_tokens=n, min_new_tokens=n, do_sample=False, num_beams=1, use_cache=True)


def causal(case):
    model = AutoModelForCausalLM.from_pretrained(case["dir"], dtype=torch.float32).eval()
    ids, mask = tensor(case["ids"]), tensor(case["mask"])
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    result = {"logits": model(input_ids=ids, attention_mask=mask, position_ids=positions).logits.tolist()}
    if "labels" in case:
        result["loss"] = model(input_ids=ids, attention_mask=mask, position_ids=positions, labels=tensor(case["labels"])).loss.item()
    if "generate" in case:
        result["generated"] = greedy(model, case["generate"], input_ids=ids, attention_mask=mask)[:, ids.shape[1] :].tolist()
    return result


def seq2seq(case):
    model = AutoModelForSeq2SeqLM.from_pretrained(case["dir"], dtype=torch.float32).eval()
    ids, mask = tensor(case["ids"]), tensor(case["mask"])
    result = {
        "hidden": model.get_encoder()(input_ids=ids, attention_mask=mask).last_hidden_state.tolist(),
        "logits": model(input_ids=ids, attention_mask=mask, decoder_input_ids=tensor(case["decoder_ids"])).logits.tolist(),
    }
    if "labels" in case:
        result["loss"] = model(input_ids=ids, attention_mask=mask, labels=tensor(case["labels"])).loss.item()
    if "generate" in case:
        # The output starts with decoder_start_token_id. The cache grows a layer as each is reached:
        # the one generate() makes from the config has num_layers, not num_decoder_layers. (T5 v1.1's
        # untied head draws transformers 5's warning that lm_head and shared differ, so are not tied.)
        cache = EncoderDecoderCache(DynamicCache(), DynamicCache())
        result["generated"] = greedy(model, case["generate"], input_ids=ids, attention_mask=mask, cache=cache)[:, 1:].tolist()
    return result


def encoder(case):
    model = AutoModel.from_pretrained(case["dir"], dtype=torch.float32).eval()
    inputs = {"input_ids": tensor(case["ids"]), "attention_mask": tensor(case["mask"])}
    if "token_type_ids" in case:
        inputs["token_type_ids"] = tensor(case["token_type_ids"])
    out = model(**inputs)
    result = {"hidden": out.last_hidden_state.tolist()}
    if out.pooler_output is not None:
        result["pooled"] = out.pooler_output.tolist()
    return result


def main():
    request = json.load(sys.stdin)
    kinds = {"causal": causal, "seq2seq": seq2seq, "encoder": encoder}
    with torch.no_grad():
        cases = [kinds[case["kind"]](case) for case in request["cases"]]
    json.dump({"transformers": transformers.__version__, "torch": torch.__version__, "cases": cases}, sys.stdout)


if __name__ == "__main__":
    main()
