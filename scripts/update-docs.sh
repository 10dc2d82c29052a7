#!/usr/bin/env bash
# Writes the generated parts of docs/ again, from the code as it is now:
# the command reference (docs/cli.md) and the examples of docs/formats.md.
# Run it after changing a command, an option or an output; review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
"$python" -m sessionpack.cli.reference > docs/cli.md
"$python" scripts/docs_examples.py docs/formats.md
