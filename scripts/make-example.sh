#!/usr/bin/env bash
# Regenerates data-example/: a small massage and physio practice, built with
# sessionpack's own commands at fixed times, so the result is reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf data-example
sp() { python -m sessionpack --data-dir data-example --actor "marta" --now "$NOW" "$@" >/dev/null; }

NOW=2026-01-05T09:00
sp init --name "Marta Sousa Massage & Physio" --currency EUR --timezone Europe/Lisbon
# Settings: notices in the practice's words, delivered as JSON lines, so that
# 'notify --dry-run' (and a run) on the example shows something real.
python - <<'PY'
from pathlib import Path

path = Path("data-example/settings.toml")
head = path.read_text(encoding="utf-8").split("[notices]")[0]
path.write_text(head + """[notices]  # what 'sessionpack notify' sends, and when (see docs/automation.md)
expiring_days = [30, 7]  # days before a package's last valid day (only the most urgent is sent)
low_remaining = 1        # "running low" at this many sessions left to book, or fewer
low_minutes = 60         # ... minutes, for minutes packages
low_money = "10%"        # ... money, for credits: an amount or a share of the credit
from = "Marta Sousa <marta@example.com>"
how_to_book = "Reply to this email or call +351 912 345 678 to book your next session."

[delivery]  # JSON lines on standard output: try 'sessionpack notify --dry-run', or see what a run prints
method = "jsonl"

[hooks]
time_budget = 30  # seconds for all the hooks of one command
""", encoding="utf-8")
PY
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
sp package create massage-trio --name "Massage trio" --description "One Swedish and two Thai massages" \
  --service massage-60=1 --service thai=2 --price 210 --tax 23 --expires "3 months" --category Massage --order 1
sp package create massage-hours --name "5 hours of massage" --pool minutes=300 \
  --services massage-60,massage-90,thai --price 260 --tax 23 --expires "6 months" --category Massage --order 2
sp package create morning-massage --name "Weekday morning massages" --pool count=5 --services massage-60 \
  --per-session --fee massage-60=45 --expires "2 months from first use" --weekdays mon-fri --time 09:00-12:00 \
  --category Massage --order 3
sp package create physio-10 --name "10 physiotherapy sessions" --pool count=10 --services physio --price 480 \
  --expires "3 months from first use" --no-show forfeit --late-cancel forfeit --category Physio --order 1
sp package create physio-joao-winter --name "Winter physio with Joao" --service physio=3 --price 150 \
  --provider joao --between 2026-01-05..2026-03-20 --expires "on 2026-03-20" --category Physio --order 2
sp package create credit-300 --name "300 EUR credit" --pool money=300 --price 270 --expires "12 months" \
  --late-cancel-hours 48 --late-cancel charge --charge-percent 50 --expiry-limits booking --category Gifts --order 1
sp package create sauna-week --name "Unlimited sauna week" --pool unlimited --services sauna --price 0 \
  --expires "1 week" --visibility not-for-sale --category Sauna --order 1 \
  --description "A week of sauna, given with a massage package; assigned, not sold"
sp package clone massage-trio massage-trio-2025 --name "Massage trio (2025 price)"
sp package edit massage-trio-2025 --price 190 --order 9
sp package deactivate massage-trio-2025
# Sales, bookings, a no-show, a late cancel and a cancellation.
NOW=2026-01-10T11:00
sp sell ana massage-trio
sp sell bruno physio-10 --unpaid
sp sell carla credit-300 --ref gift-voucher-017
sp sell diogo morning-massage
sp assign eva sauna-week
# Carla is Diogo's mother: she books for him and gets his notices; he may use
# the packages she shares with him -- her credit, not all of her packages.
sp client relate carla diogo --as parent --can book-for --can notices
sp client relate diogo carla --as child --can use-packages
sp share carla.p1 diogo
NOW=2026-01-12T09:30
sp book ana massage-60 2026-01-15T10:00
sp book ana thai 2026-01-22T10:00
sp book ana thai 2026-03-05T10:00
sp book bruno physio 2026-01-14T18:00 --provider marta --repeat weekly --count 8
sp book carla massage-90 2026-01-20T11:00
sp book carla massage-60 2026-02-10T16:00
sp book diogo massage-60 2026-01-19T10:00
sp book diogo massage-60 2026-01-26T10:00
sp book diogo massage-90 2026-02-05T17:00   # not in his own package: drawn on carla.p1
sp book eva sauna 2026-01-13T19:00
sp book eva sauna 2026-01-15T19:00
NOW=2026-01-15T12:00
sp attend ana.b1
sp attend bruno.b1
sp cancel diogo.b1 --reason "school trip"
NOW=2026-01-19T15:00
sp cancel carla.b1 --reason "flu"
sp attend eva.b1
sp attend eva.b2
NOW=2026-01-22T12:00
sp attend ana.b2
sp no-show bruno.b2
NOW=2026-01-26T12:00 sp attend diogo.b2        # marked once the session has taken place
sp pay bruno.p1 240 --method transfer
NOW=2026-02-11T09:00
sp attend bruno.b3
sp attend bruno.b4
NOW=2026-02-11T19:00 sp attend bruno.b5        # that evening, after the session
sp attend carla.b2
sp attend diogo.b3
NOW=2026-02-02T10:00
sp client edit ana --phone "+351 912 000 111"
# February and March: more sales, sessions, a forfeit, a refund, an unpaid
# fee and money still owed, so every report shows something real.
NOW=2026-02-12T10:00
sp sell eva physio-10 --paid 200
sp sell bruno massage-hours
sp book eva physio 2026-02-16T09:00 --provider joao
sp book eva physio 2026-02-23T09:00 --provider joao
sp book bruno massage-90 2026-02-18T15:00
sp book bruno thai 2026-02-25T15:00
sp book ana massage-90 2026-02-20T10:00        # not in her trio: at the regular fee
NOW=2026-02-17T09:00
sp attend eva.b3
NOW=2026-02-18T20:00 sp no-show bruno.b6        # physio-10 forfeits a no-show
NOW=2026-02-19T09:00
sp attend bruno.b9
NOW=2026-02-21T09:00
sp attend ana.b4
NOW=2026-02-24T09:00
sp attend eva.b4
sp adjust eva.p2 --sessions +1 --reason "goodwill: therapist was late"
NOW=2026-02-26T09:00
sp attend bruno.b10
sp refund bruno.p2 --pro-rata --reason "moving abroad"
NOW=2026-03-02T09:00
sp book ana massage-60 2026-03-03T10:00 --no-package
sp book eva physio 2026-03-04T09:00 --provider joao
sp book bruno physio 2026-03-05T18:00 --provider marta
sp book carla massage-60 2026-03-09T16:00
