"""Clinical-style texts that every tokenizer reference script encodes (one list, so all three fixtures test the same cases).

Each text is there for a special case of at least one tokenizer:
  - short answers, and "Yes." first (the T5 test reads it as cases[0]);
  - accents in mixed and upper case (BERT lowercases and strips them);
  - digits, units, every kind of ASCII punctuation and symbols outside the vocabularies;
  - contractions (GPT-2's are lowercase-only, so "I'M" and "'S" are not) and a task prefix as FLAN prompts use;
  - long words, and one over 100 characters (BERT's WordPiece gives [UNK]);
  - whitespace runs, leading/trailing spaces (T5's tokenizer.json keeps a trailing "▁"), tabs, CRLF,
    a no-break space, a zero-width space and a control character (BERT drops it; byte-level BPE keeps it);
  - NFKC-folded symbols ½, ², ﬁ (T5's normalizer folds them);
  - CJK ideographs (BERT splits each), kana, and an emoji (outside BERT's and T5's vocabularies).
"""

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
    "Tabs\tand\n\nnewlines\r\n   mixed\u00a0with\u200bzero-width and \x07bell",
    "Don't stop; we've seen it's the patient's choice, they'll decide. I'M FINE'S",
    "Ärztin: Überweisung an Gastroenterologie (Ösophagus-Ca), Dosis ½ Tablette.",
    "ÄRZTIN: Überweisung (Ösophagus-Ca), Dosis ½ Tablette; Sjögren's, naïve, façade, m² ﬁbrosis.",
    "β-blockers ≥ 2 weeks; IL-6 ↑ 3×; 患者发热三天。 日本語テキスト 🙂",
    "Dose 1234567890 mg, ratio 3.14159, 0.5mg/kg/day [p < 0.001] {IQR: 2-5} ~50 $30 @home #1 a|b",
    "summarize: 72 y/o M w/ hx of CHF, COPD & DM2 admitted for SOB... d/c'd on furosemide 40mg PO BID.",
    "word" + "x" * 100 + " then short",
]
