#!/usr/bin/env bash
# Regenerates completions/ from the installed sessionpack.
set -euo pipefail
cd "$(dirname "$0")/.."
for shell in bash zsh fish; do
  _SESSIONPACK_COMPLETE="source_${shell}" sessionpack > "completions/sessionpack.${shell}"
done
