#!/usr/bin/python3
"""Reference FLAN-T5 token ids for the tokenizer tests, from Google's SentencePiece library.

spiece.model is the unigram model T5 was trained with; SentencePiece applies its own normalizer
(nmt_nfkc: NFKC, whitespace runs collapsed, leading/trailing whitespace dropped) and segmentation.
T5's tokenizer then appends the end-of-sequence id </s> = 1 (no BOS). Pieces outside the
vocabulary get <unk> = 2. `decoded` is SentencePiece's own decoding of the ids before EOS.

Needs Debian's python3-sentencepiece (apt), hence /usr/bin/python3.

The texts are clinical_texts.py's, shared with the other reference scripts.

Usage: /usr/bin/python3 tools/tokenizer-references/t5_sentencepiece.py MODEL_DIR OUT_JSON
  MODEL_DIR holds spiece.model (e.g. $PEFTLAB_MODELS/flan-t5-small).
"""
import json
import sys
from pathlib import Path

import sentencepiece

sys.dont_write_bytecode = True  # importing clinical_texts must not leave a __pycache__ in the tree
from clinical_texts import TEXTS  # noqa: E402 (the script's own folder is on sys.path)

EOS_ID = 1


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    processor = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "spiece.model"))
    cases = []
    for text in TEXTS:
        ids = processor.encode(text)
        cases.append({
            "text": text,
            "ids": ids + [EOS_ID],
            "pieces": [processor.id_to_piece(i) for i in ids],
            "decoded": processor.decode(ids),
        })
    fixture = {
        "command": "/usr/bin/python3 tools/tokenizer-references/t5_sentencepiece.py $PEFTLAB_MODELS/flan-t5-small packages/tokenizers/test/fixtures/flan-t5-reference.json",
        "model": f"flan-t5-small spiece.model (SentencePiece {sentencepiece.__version__}), EOS {EOS_ID} appended",
        "cases": cases,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
