#!/usr/bin/env python3
"""Reference GPT-2 token ids for the tokenizer tests, from an independent implementation.

GPT-2's byte-level BPE as OpenAI's encoder.py defines it (bytes_to_unicode, the pre-tokenizer
pattern, greedy merges by rank from merges.txt, ids from vocab.json), in plain Python 3 with the
standard library only (Debian's python3 has no `regex` module).

The texts are clinical_texts.py's, shared with the other reference scripts.

Usage: python3 tools/tokenizer-references/gpt2_bpe.py MODEL_DIR OUT_JSON
  MODEL_DIR holds vocab.json and merges.txt (e.g. $PEFTLAB_MODELS/tiny-gpt2).
"""
import json
import re
import sys
import unicodedata
from pathlib import Path

sys.dont_write_bytecode = True  # importing clinical_texts must not leave a __pycache__ in the tree
from clinical_texts import TEXTS  # noqa: E402 (the script's own folder is on sys.path)


def bytes_to_unicode():
    """encoder.py's table: every byte gets a printable character; printable Latin-1 bytes map to themselves."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    shifted = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + shifted)
            shifted += 1
    return dict(zip(printable, map(chr, codes)))


def char_class(predicate):
    """A regex character-class body of every code point satisfying `predicate`, as ranges."""
    ranges = []
    start = None
    for code in range(sys.maxunicode + 2):
        inside = code <= sys.maxunicode and predicate(chr(code))
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(code - 1)) if code - 1 > start else ""))
            start = None
    return "".join(ranges)


def pretokenizer():
    r"""GPT-2's pattern 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ for `re`.

    `re` has no \p{...}: letters (categories L*) and numbers (N*) are spelled out from unicodedata.
    `re`'s \s also matches U+001C..U+001F, which the Unicode White_Space property (what \s means
    in the `regex` module and in the tokenizers library) leaves out, so whitespace is spelled out too.
    """
    letters = char_class(lambda c: unicodedata.category(c).startswith("L"))
    numbers = char_class(lambda c: unicodedata.category(c).startswith("N"))
    space = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # Unicode White_Space
    return re.compile(
        rf"'s|'t|'re|'ve|'m|'ll|'d| ?[{letters}]+| ?[{numbers}]+| ?[^{space}{letters}{numbers}]+|[{space}]+(?![^{space}])|[{space}]+"
    )


class Gpt2Bpe:
    def __init__(self, model_dir):
        self.vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
        lines = (model_dir / "merges.txt").read_text(encoding="utf-8").split("\n")
        merges = [tuple(line.split()) for line in lines[1:] if line.strip()]  # line 0 is "#version: ..."
        self.ranks = {pair: rank for rank, pair in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.pattern = pretokenizer()

    def bpe(self, token):
        """encoder.py's greedy loop: merge the lowest-ranked adjacent pair until none is in merges.txt."""
        word = tuple(token)
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            first, second = min(pairs, key=lambda pair: self.ranks.get(pair, float("inf")))
            if (first, second) not in self.ranks:
                break
            merged = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
        return word

    def encode(self, text):
        tokens = []
        for piece in self.pattern.findall(text):
            mapped = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            tokens.extend(self.bpe(mapped))
        return [self.vocab[t] for t in tokens], tokens


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    bpe = Gpt2Bpe(model_dir)
    cases = []
    for text in TEXTS:
        ids, tokens = bpe.encode(text)
        cases.append({"text": text, "ids": ids, "tokens": tokens})
    fixture = {
        "command": "python3 tools/tokenizer-references/gpt2_bpe.py $PEFTLAB_MODELS/tiny-gpt2 packages/tokenizers/test/fixtures/gpt2-reference.json",
        "model": "tiny-gpt2 (vocab.json + merges.txt)",
        "cases": cases,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
