"""Writes packages/evaluators/test/fixtures/rouge-score.json: Google's rouge-score (0.1.2, the
newest release) on a few reference/generated answer pairs, with its Porter stemmer off and on
(RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=...)), which
packages/evaluators/test/rouge-score.test.ts checks peftlab's `rouge` against. The pairs are
medical answers whose words stem together only with the stemmer (treated/treatment,
infections/infection), plus the default tokenizer's edge cases: case, punctuation, digits,
letters outside [a-z0-9], words of 3 characters or fewer (never stemmed) and an empty answer.

Needs rouge-score==0.1.2 (with nltk, absl-py, six) in the goldens venv.
Run: .venv-goldens/bin/python tools/references/rouge/rouge_score_fixture.py
"""
import json
from importlib.metadata import version
from pathlib import Path

from rouge_score import rouge_scorer

PAIRS = [
    ("Diabetes is treated with insulin injections and dietary changes.",
     "Treatment of diabetes includes injecting insulin and changing the diet."),
    ("Symptoms include fever, coughing and shortness of breath.",
     "Fevers, a cough, and breathing difficulties are common symptoms."),
    ("Antibiotics cure bacterial infections; they do not work against viruses.",
     "Bacterial infection is cured by antibiotics, which are useless against viral infections."),
    ("Take 500 mg of amoxicillin 3 times daily for 7 days.",
     "Amoxicillin 500mg three times a day for seven days."),
    ("Hypertension (high blood pressure) increases the risk of stroke.",
     "High blood pressure raises the risk of strokes and heart attacks."),
    ("Café-au-lait spots are flat, pigmented birthmarks seen in NF1.",
     "NF1 causes café au lait spots: flat brown birthmarks."),
    ("The patient was running and the dogs were barking.",
     "Patients run; dogs bark."),
    ("Generalizations about oscillators are often wrong.",
     "GENERALIZATION OSCILLATING OFTEN!"),
    ("See your doctor.", ""),
]

TYPES = ["rouge1", "rouge2", "rougeL"]


def scores(use_stemmer):
    scorer = rouge_scorer.RougeScorer(TYPES, use_stemmer=use_stemmer)
    out = []
    for reference, generated in PAIRS:
        s = scorer.score(reference, generated)
        out.append({t: [s[t].precision, s[t].recall, s[t].fmeasure] for t in TYPES})
    return out


fixture = {
    "made_by": "tools/references/rouge/rouge_score_fixture.py",
    "versions": {"rouge-score": version("rouge-score"), "nltk": version("nltk")},
    "scores_are": "[precision, recall, fmeasure] of RougeScorer(...).score(reference, generated)",
    "pairs": [{"reference": r, "generated": g} for r, g in PAIRS],
    "stemmer_off": scores(False),
    "stemmer_on": scores(True),
}
out = Path(__file__).resolve().parents[3] / "packages/evaluators/test/fixtures/rouge-score.json"
out.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
print(f"{out}: {len(PAIRS)} pairs")
