#!/usr/bin/env python3
"""Reference BERT (uncased) token ids for the tokenizer tests, from an independent implementation.

Google's BERT tokenization.py as transformers' BertTokenizer keeps it: BasicTokenizer (drop NUL,
U+FFFD and control characters, whitespace to spaces, spaces around CJK ideographs, lowercase,
strip accents by NFD and dropping Mn marks, split off every punctuation character), then greedy
longest-match-first WordPiece with "##" continuations ([UNK] for a word that cannot be covered or
is over 100 characters), ids from vocab.txt (line number = id), [CLS] ... [SEP] around it.
Plain Python 3, standard library only.

Decoding follows tokenizer.json's WordPiece decoder (tokenizers' decoders/wordpiece.rs: "##"
joins, other tokens get a space, each token cleaned up) and then, because tokenizer_config.json
sets clean_up_tokenization_spaces, transformers' clean_up_tokenization on the whole text.

The texts are clinical_texts.py's, shared with the other reference scripts.

Usage: python3 tools/tokenizer-references/bert_wordpiece.py MODEL_DIR OUT_JSON
  MODEL_DIR holds vocab.txt (e.g. $PEFTLAB_MODELS/bert-tiny).
"""
import json
import sys
import unicodedata
from pathlib import Path

sys.dont_write_bytecode = True  # importing clinical_texts must not leave a __pycache__ in the tree
from clinical_texts import TEXTS  # noqa: E402 (the script's own folder is on sys.path)

CJK_RANGES = [
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
]
MAX_CHARS_PER_WORD = 100
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def is_whitespace(char):
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def is_control(char):
    return char not in "\t\n\r" and unicodedata.category(char).startswith("C")


def is_punctuation(char):
    code = ord(char)
    # Every non-alphanumeric ASCII character counts, "^", "$" and "`" included.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def is_cjk(char):
    return any(low <= ord(char) <= high for low, high in CJK_RANGES)


def basic_tokenize(text):
    """BasicTokenizer(do_lower_case=True, tokenize_chinese_chars=True, strip_accents=None)."""
    cleaned = "".join(
        " " if is_whitespace(c) else c for c in text if ord(c) != 0 and ord(c) != 0xFFFD and not is_control(c)
    )
    spaced = "".join(f" {c} " if is_cjk(c) else c for c in cleaned)
    words = []
    for token in spaced.split():
        token = "".join(c for c in unicodedata.normalize("NFD", token.lower()) if unicodedata.category(c) != "Mn")
        current = ""
        for c in token:
            if is_punctuation(c):
                words += [current, c] if current else [c]
                current = ""
            else:
                current += c
        if current:
            words.append(current)
    return words


def wordpiece(word, vocab):
    if len(word) > MAX_CHARS_PER_WORD:
        return ["[UNK]"]
    pieces = []
    start = 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = ("##" if start > 0 else "") + word[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def clean_up_tokenization(text):
    """transformers' PreTrainedTokenizerBase.clean_up_tokenization (tokenizers' WordPiece cleanup is a subset)."""
    for dirty, clean in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                         (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")]:
        text = text.replace(dirty, clean)
    return text


def decode(tokens, skip_special):
    kept = [t for t in tokens if not (skip_special and t in SPECIAL)]
    pieces = [t if i == 0 else t[2:] if t.startswith("##") else " " + t for i, t in enumerate(kept)]
    return clean_up_tokenization("".join(clean_up_tokenization(p) for p in pieces))


def main(model_dir, out_path):
    lines = Path(model_dir, "vocab.txt").read_text(encoding="utf-8").split("\n")
    vocab = {token: i for i, token in enumerate(lines) if token}
    cases = []
    for text in TEXTS:
        tokens = ["[CLS]"] + [p for w in basic_tokenize(text) for p in wordpiece(w, vocab)] + ["[SEP]"]
        cases.append({
            "text": text,
            "ids": [vocab[t] for t in tokens],
            "tokens": tokens,
            "decoded": decode(tokens, skip_special=True),
            "decodedWithSpecial": decode(tokens, skip_special=False),
        })
    fixture = {
        "command": f"python3 tools/tokenizer-references/bert_wordpiece.py $PEFTLAB_MODELS/bert-tiny {out_path}",
        "model": "bert-tiny (vocab.txt, uncased)",
        "cases": cases,
    }
    Path(out_path).write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
