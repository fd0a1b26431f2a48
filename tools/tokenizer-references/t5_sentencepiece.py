#!/usr/bin/python3
"""Reference FLAN-T5 token ids for the tokenizer tests, from Google's SentencePiece library.

spiece.model is the unigram model T5 was trained with; SentencePiece applies its own normalizer
(nmt_nfkc: NFKC, whitespace runs collapsed, leading/trailing whitespace dropped) and segmentation.
T5's tokenizer then appends the end-of-sequence id </s> = 1 (no BOS). Pieces outside the
vocabulary get <unk> = 2. `decoded` is SentencePiece's own decoding of the ids before EOS.

Needs Debian's python3-sentencepiece (apt), hence /usr/bin/python3.

Usage: /usr/bin/python3 tools/tokenizer-references/t5_sentencepiece.py MODEL_DIR OUT_JSON
  MODEL_DIR holds spiece.model (e.g. $PEFTLAB_MODELS/flan-t5-small).
"""
import json
import sys
from pathlib import Path

import sentencepiece

EOS_ID = 1

# Clinical-style texts: short answers, accents, digits and units, punctuation of every kind,
# contractions, long words, whitespace runs, tabs and newlines, NFKC-folded symbols (½, ², ﬁ),
# characters outside the vocabulary (CJK, emoji), and a task prefix as FLAN prompts use.
TEXTS = [
    "Yes.",
    "no",
    "The patient denies chest pain.",
    "A 45-year-old woman presented with dyspnea; SpO2 was 88% on room air.",
    "Névralgie post-zostérienne traitée par prégabaline 75 mg x2/j.",
    "Pneumonoultramicroscopicsilicovolcanoconiosis and esophagogastroduodenoscopy were discussed.",
    "BP 142/91 mmHg, HR 110 bpm, T 38.7°C  —  sepsis?",
    "Question: Is metformin associated with lactic acidosis?\nContext: Retrospective cohort (n=1,234).\nAnswer:",
    "   leading and trailing spaces   ",
    "Tabs\tand\n\nnewlines\r\n   mixed",
    "Don't stop; we've seen it's the patient's choice, they'll decide. I'M FINE",
    "ÄRZTIN: Überweisung (Ösophagus-Ca), Dosis ½ Tablette; Sjögren's, naïve, façade, m² ﬁbrosis.",
    "β-blockers ≥ 2 weeks; IL-6 ↑ 3×; 患者发热三天。 🙂",
    "Dose 1234567890 mg, ratio 3.14159, 0.5mg/kg/day [p < 0.001] {IQR: 2-5} ~50 $30 @home #1 a|b",
    "summarize: 72 y/o M w/ hx of CHF, COPD & DM2 admitted for SOB... d/c'd on furosemide 40mg PO BID.",
]


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
