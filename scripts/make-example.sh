#!/usr/bin/env bash
# Regenerates data-example/: a small massage and physio practice, built with
# sessionpack's own commands at fixed times, so the result is reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf data-example
sp() { python -m sessionpack --data-dir data-example --actor "marta" --now "$NOW" "$@" >/dev/null; }

NOW=2026-01-05T09:00
sp init --name "Marta Sousa Massage & Physio" --currency EUR --timezone Europe/Lisbon
sp service add massage-60 --name "Swedish massage 60" --duration 60 --price 60 --tax 23
sp service add massage-90 --name "Swedish massage 90" --duration 90 --price 85 --tax 23
sp service add thai --name "Thai massage" --duration 90 --price 90 --tax 23
sp service add physio --name "Physiotherapy session" --duration 45 --price 55 --tax 0 --provider marta --provider joao
sp service add sauna --name "Sauna visit" --duration 30 --price 12 --tax 23
sp client add ana --name "Ana Lima" --email ana@example.com --phone "+351 912 345 678" --tag regular
sp client add bruno --name "Bruno Costa" --email bruno@example.com --tag runner
sp client add carla --name "Carla Mendes" --email carla@example.com
sp client add diogo --name "Diogo Mendes" --email diogo@example.com --notes "Carla's son"
sp client add eva --name "Eva Rocha" --email eva@example.com --tag physio
NOW=2026-02-02T10:00
sp client edit ana --phone "+351 912 000 111"
