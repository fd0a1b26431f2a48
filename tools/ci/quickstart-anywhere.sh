#!/usr/bin/env bash
# The README's first command on a fresh clone, as a new user runs it: an empty folder with no
# ../shared beside it and no PEFTLAB_* variables, `npm ci && npm start` to the end, and the
# report.html whose path it prints must exist; then its adapters go through PEFT and back.
# Run from the repository root (by .ci/run).
set -euo pipefail
root="$(pwd)"
folder="$(mktemp -d)"
trap 'rm -rf "$folder"' EXIT
git clone -q "$root" "$folder/peftlab"
cd "$folder/peftlab"
log="$folder/start.log"
env -u PEFTLAB_DATA -u PEFTLAB_MODELS bash -c 'npm ci --no-audit --no-fund && npm start' 2>&1 | tee "$log"
report="$(sed -n 's/^report: \(.*report\.html\) .*/\1/p' "$log" | tail -1)"
if [ -z "$report" ] || [ ! -s "$report" ]; then
  echo "quickstart-anywhere: npm start printed no report path, or no report.html at \"$report\"" >&2
  exit 1
fi
echo "quickstart-anywhere: ok, $report ($(wc -c <"$report") bytes)"

# The run's adapters in Hugging Face PEFT, and PEFT's adapters in peftlab (tools/ci/adapter-round-trip.ts),
# against the reference stack .ci/run installs in the repository's .venv-goldens.
if [ -x "$root/.venv-goldens/bin/python" ]; then
  PEFTLAB_GOLDENS_PYTHON="$root/.venv-goldens/bin/python" node_modules/node/bin/node tools/ci/adapter-round-trip.ts "$(dirname "$report")"
else
  echo "quickstart-anywhere: no $root/.venv-goldens, so no adapter round trip with PEFT (.ci/run makes it)"
fi
