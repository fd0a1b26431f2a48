"""Reference token ids for the tokenizer tests, from Hugging Face's `tokenizers` library on the
model folder's tokenizer.json: the encodings every Hugging Face fast tokenizer gives.

For each of clinical_texts.py's texts: `ids` and `tokens` of Tokenizer.encode (special tokens
added by tokenizer.json's post-processor: BERT's [CLS] ... [SEP], T5's </s>, none for GPT-2), and
the decoding of those ids with special tokens skipped (`decoded`) and kept
(`decodedWithSpecial`) by transformers' fast tokenizer of the folder: tokenizers' decoding, then
transformers' clean_up_tokenization where tokenizer_config.json sets
clean_up_tokenization_spaces (BERT).

Needs the goldens venv (packages/references/python/requirements.txt pins tokenizers and
transformers; .ci/run makes it):

Usage: .venv-goldens/bin/python tools/tokenizer-references/hf_tokenizers.py MODEL_DIR OUT_JSON
  e.g. MODEL_DIR $PEFTLAB_MODELS/bert-tiny and OUT_JSON packages/tokenizers/test/fixtures/bert-reference.json
  (also tiny-gpt2 -> gpt2-reference.json, flan-t5-small -> flan-t5-reference.json).
"""
import json
import sys
from pathlib import Path

import tokenizers
import transformers
from transformers import AutoTokenizer

sys.dont_write_bytecode = True  # importing clinical_texts must not leave a __pycache__ in the tree
from clinical_texts import TEXTS  # noqa: E402 (the script's own folder is on sys.path)

FIXTURE_OF = {"bert-tiny": "bert", "tiny-gpt2": "gpt2", "flan-t5-small": "flan-t5"}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    tokenizer = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    fast = AutoTokenizer.from_pretrained(model_dir)

    cases = []
    for text in TEXTS:
        encoding = tokenizer.encode(text)
        cases.append({
            "text": text,
            "ids": encoding.ids,
            "tokens": encoding.tokens,
            "decoded": fast.decode(encoding.ids, skip_special_tokens=True),
            "decodedWithSpecial": fast.decode(encoding.ids, skip_special_tokens=False),
        })
    fixture = {
        "command": f".venv-goldens/bin/python tools/tokenizer-references/hf_tokenizers.py $PEFTLAB_MODELS/{model_dir.name} packages/tokenizers/test/fixtures/{FIXTURE_OF.get(model_dir.name, model_dir.name)}-reference.json",
        "model": f"{model_dir.name} tokenizer.json (tokenizers {tokenizers.__version__}), decoded by transformers {transformers.__version__}",
        "cases": cases,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
