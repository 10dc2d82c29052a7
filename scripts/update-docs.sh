#!/usr/bin/env bash
# Writes the generated parts of docs/ again, from the code as it is now:
# the command reference (docs/cli.md) and the examples of every page of
# docs/ that has them (the formats and the guide).
# Run it after changing a command, an option or an output; review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
"$python" -m sessionpack.cli.reference > docs/cli.md
for page in $(grep -lx -- "<!-- example -->" docs/*.md); do
  "$python" scripts/docs_examples.py "$page"
done
