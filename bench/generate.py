#!/usr/bin/env python3
"""Generate the reference practice of the speed targets, deterministically.

    .venv/bin/python bench/generate.py --scale 1 --out bench/out/scale-1

At scale 1: 10,000 clients, 40,000 client packages of nine kinds (fixed
sessions, count pools, a minutes pool, a money credit, an unlimited pool, a
per-session package, a restricted one; several with first-use expiry) and
250,000 bookings (attended, no-shows, cancellations and late cancellations,
some still in the future) spread over the ten years before ``NOW``.

Everything goes through the project's own code: the catalog is parsed with
the domain parsers and written with ``storage.catalog``; every event is made
by a domain function (``add_client``, ``sell``, ``pay``, ``plan_booking``,
``change_status``) against an in-memory client view folded with
``ledger.apply_to_client``; every sale records an access-code hash, as
``sessionpack sell`` does (the code itself is derived from the seed and the
client package id, so the random streams are not disturbed). The fast path
is only in how the events reach the disk: they are stamped (seq, at, actor)
here, written to the journal in one go with ``journal.encode``, and the
views (client views, directory, sales count, the open-package and
access-code shards, and the checkpoint ``check`` starts from) are then made
by ``verify.rebuild`` — the same code as ``sessionpack check --rebuild``.

Determinism: client ``i`` is generated from its own random stream
``Random(f"{SEED}:{i}")`` and from a fixed 20-client pattern of package and
booking counts, so client ``i`` has the same history at every scale (only
invoice numbers and journal positions differ). That makes a one-client
command on the reference data comparable with the same command on a tenth
of it. Whenever the number of clients is a multiple of 20 the totals are
exact: 4 packages and 25 bookings per client on average.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import os
import random
import shutil
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from sessionpack.domain import ledger  # noqa: E402
from sessionpack.domain.bookings import Session, change_status, plan_booking  # noqa: E402
from sessionpack.domain.guards import Checks  # noqa: E402
from sessionpack.domain.codes import CODE_BYTES, code_hash, new_code  # noqa: E402
from sessionpack.domain.clients import add_client  # noqa: E402
from sessionpack.domain.packages import package_from_mapping  # noqa: E402
from sessionpack.domain.sales import pay, sell  # noqa: E402
from sessionpack.domain.services import service_from_mapping  # noqa: E402
from sessionpack.storage import journal, layout, verify  # noqa: E402
from sessionpack.storage import layout  # noqa: E402
from sessionpack.storage.catalog import package_text, service_text  # noqa: E402
from sessionpack.storage.fsio import atomic_write  # noqa: E402
from sessionpack.storage.store import Store, initialise, load_settings  # noqa: E402

UNCHECKED = Checks(allow_overlap=True, force=True)

SEED = 20261120
TIMEZONE = "Europe/Lisbon"
TZ = ZoneInfo(TIMEZONE)
CURRENCY = "EUR"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)  # the benchmark's --now
START = datetime(2016, 11, 20, 9, 0, tzinfo=TZ)  # ten years of history
NOW_TS = NOW.timestamp()
START_TS = START.timestamp()
DAY = 86400.0
ACTORS = ("marta", "marta", "marta", "reception")

REFERENCE = {"clients": 10_000, "packages": 40_000, "bookings": 250_000}

# Packages and bookings per client, a fixed 20-client cycle: 80 packages and
# 500 bookings per cycle (4 and 25 a client), from one-package clients to
# long-time regulars with 12 packages and 75 bookings.
PACKAGES_PATTERN = (1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 8, 12)
BOOKINGS_PATTERN = (6, 6, 7, 6, 12, 13, 12, 13, 19, 19, 19, 25, 25, 31, 31, 38, 44, 50, 50, 74)
assert sum(PACKAGES_PATTERN) == 80 and sum(BOOKINGS_PATTERN) == 500
HEAVY = PACKAGES_PATTERN.index(12)  # pattern position of the heaviest clients
TYPICAL = PACKAGES_PATTERN.index(4)  # a client with the average 4 packages / 25 bookings

SERVICES: dict[str, dict[str, Any]] = {
    "massage-60": {"name": "Swedish massage 60", "duration": 60, "price": "60.00", "tax": "23"},
    "massage-90": {"name": "Swedish massage 90", "duration": 90, "price": "85.00", "tax": "23"},
    "thai": {"name": "Thai massage", "duration": 90, "price": "90.00", "tax": "23"},
    "physio": {"name": "Physiotherapy session", "duration": 45, "price": "55.00", "tax": "0"},
    "yoga": {"name": "Yoga class", "duration": 60, "price": "15.00", "tax": "6"},
    "sauna": {"name": "Sauna visit", "duration": 30, "price": "12.00", "tax": "23"},
    "coaching": {"name": "Coaching call", "duration": 50, "price": "100.00", "tax": "23"},
}

_POLICY = {"no_show": "return", "late_cancel_hours": 24, "late_cancel": "return", "expiry_limits": "session"}

# id -> (weight in the mix, catalog table, sessions a client typically books
# on it, days over which they book them, services booked and their weights)
KINDS: dict[str, tuple[int, dict[str, Any], float, int, dict[str, int]]] = {
    "five-massages": (18, {
        "name": "5 Swedish massages", "category": "Massage", "expiry": "6 months from purchase",
        "contents": {"sessions": {"massage-60": 5}},
        "payment": {"mode": "upfront", "price": "275.00", "tax": "23"}, "policies": dict(_POLICY),
    }, 5, 160, {"massage-60": 1}),
    "massage-trio": (10, {
        "name": "Massage trio", "category": "Massage", "expiry": "3 months from purchase",
        "contents": {"sessions": {"massage-60": 1, "thai": 2}},
        "payment": {"mode": "upfront", "price": "210.00", "tax": "23"}, "policies": dict(_POLICY),
    }, 3, 80, {"massage-60": 1, "thai": 2}),
    "physio-10": (14, {
        "name": "10 physiotherapy sessions", "category": "Physio", "expiry": "3 months from first use",
        "contents": {"pool": "count", "amount": 10, "services": ["physio"]},
        "payment": {"mode": "upfront", "price": "480.00", "tax": "0"},
        "policies": dict(_POLICY, no_show="forfeit", late_cancel="forfeit"),
    }, 10, 90, {"physio": 1}),
    "yoga-10": (10, {
        "name": "10 yoga classes", "category": "Yoga", "expiry": "4 months from first use",
        "contents": {"pool": "count", "amount": 10, "services": ["yoga"]},
        "payment": {"mode": "upfront", "price": "130.00", "tax": "6"}, "policies": dict(_POLICY),
    }, 10, 110, {"yoga": 1}),
    "massage-hours": (14, {
        "name": "5 hours of massage", "category": "Massage", "expiry": "6 months from purchase",
        "contents": {"pool": "minutes", "amount": 300, "services": ["massage-60", "massage-90", "thai"]},
        "payment": {"mode": "upfront", "price": "260.00", "tax": "23"}, "policies": dict(_POLICY),
    }, 4, 160, {"massage-60": 2, "massage-90": 1, "thai": 1}),
    "credit-300": (10, {
        "name": "300 EUR credit", "category": "Gifts", "expiry": "12 months from purchase",
        "contents": {"pool": "money", "amount": "300.00", "services": "all"},
        "payment": {"mode": "upfront", "price": "270.00", "tax": "0"},
        "policies": dict(_POLICY, late_cancel_hours=48, late_cancel="charge", charge_percent="50", expiry_limits="booking"),
    }, 4, 300, {"massage-60": 3, "thai": 2, "physio": 2, "coaching": 1, "sauna": 1}),
    "unlimited-month": (10, {
        "name": "Unlimited yoga and sauna month", "category": "Yoga", "expiry": "1 month from first use",
        "contents": {"pool": "unlimited", "services": ["yoga", "sauna"]},
        "payment": {"mode": "upfront", "price": "99.00", "tax": "6"}, "policies": dict(_POLICY),
    }, 8, 30, {"yoga": 3, "sauna": 1}),
    "coaching-6": (7, {
        "name": "6 coaching calls, paid per call", "category": "Coaching", "expiry": "none",
        "contents": {"pool": "count", "amount": 6, "services": ["coaching"]},
        "payment": {"mode": "per-session", "fees": {"coaching": "80.00"}}, "policies": dict(_POLICY),
    }, 6, 200, {"coaching": 1}),
    "morning-yoga": (7, {
        "name": "Weekday morning yoga, 10 classes", "category": "Yoga", "expiry": "2 months from first use",
        "contents": {"pool": "count", "amount": 10, "services": ["yoga"]},
        "payment": {"mode": "upfront", "price": "110.00", "tax": "6"},
        "restrictions": {"weekdays": ["mon", "tue", "wed", "thu", "fri"], "time_window": "07:00-12:00"},
        "policies": dict(_POLICY),
    }, 10, 60, {"yoga": 1}),
}
assert sum(k[0] for k in KINDS.values()) == 100
KIND_IDS = tuple(KINDS)
KIND_WEIGHTS = tuple(KINDS[k][0] for k in KIND_IDS)

FIRST = ("ana", "bruno", "carla", "diogo", "eva", "filipe", "gabriela", "hugo", "ines", "joao", "katia",
         "luis", "marta", "nuno", "olga", "pedro", "rita", "sara", "tiago", "vera")
LAST = ("lima", "costa", "mendes", "rocha", "silva", "santos", "ferreira", "pereira", "oliveira", "sousa",
        "martins", "gomes", "lopes", "marques", "alves", "ribeiro", "pinto", "carvalho", "teixeira", "moreira")


def client_id(i: int) -> str:
    """Id of client number ``i`` (0-based), the same at every scale."""
    return f"{FIRST[i % 20]}-{LAST[(i // 20) % 20]}-{i + 1}"


def counts(scale: float) -> dict[str, int]:
    clients = max(1, round(REFERENCE["clients"] * scale))
    return {
        "clients": clients,
        "packages": sum(PACKAGES_PATTERN[i % 20] for i in range(clients)),
        "bookings": sum(BOOKINGS_PATTERN[i % 20] for i in range(clients)),
    }


def sample_clients(scale: float, position: int, how_many: int) -> list[str]:
    """Ids of clients at ``position`` of the 20-client pattern (same at every scale)."""
    n = counts(scale)["clients"]
    return [client_id(i) for i in range(position, n, 20)][:how_many]


def settings_text() -> bytes:
    from sessionpack.cli.setup_cmds import SETTINGS_TEMPLATE, _toml_string

    return SETTINGS_TEMPLATE.format(
        name=_toml_string("Marta Sousa Massage, Physio & Yoga (benchmark)"),
        currency=_toml_string(CURRENCY),
        timezone=_toml_string(TIMEZONE),
    ).encode("utf-8")


def build_catalog(root: str) -> tuple[dict[str, Any], dict[str, Any]]:
    services = {sid: service_from_mapping(sid, data, CURRENCY) for sid, data in SERVICES.items()}
    for service in services.values():
        atomic_write(layout.service_path(root, service.id), service_text(service))  # as a person writes the file
    packages = {pid: package_from_mapping(pid, KINDS[pid][1], CURRENCY, services) for pid in KIND_IDS}
    for package in packages.values():
        atomic_write(layout.package_path(root, package.id), package_text(package))
    return services, packages


# ---------------------------------------------------------------- one client


def _local(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, TZ)


def _at(day: date, hour: int, minute: int) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).timestamp()


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda j: (raw[j] - out[j], rng.random()), reverse=True)
    for j in order[: total - sum(out)]:
        out[j] += 1
    return out


def _weighted(rng: random.Random, table: dict[str, int]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


class ClientSim:
    """Plays one client's ten years in time order, collecting their events."""

    def __init__(self, i: int, services: dict[str, Any], packages: dict[str, Any]) -> None:
        self.i = i
        self.id = client_id(i)
        self.rng = random.Random(f"{SEED}:{i}")
        self.services = services
        self.packages = packages
        self.view = ledger.empty_client_view(self.id)
        self.events: list[tuple[float, int, dict[str, Any]]] = []  # (timestamp, order, event)
        self.queue: list[tuple[float, int, str, Any]] = []
        self.order = 0
        self.last_ts = 0.0

    def push(self, ts: float, action: str, payload: Any) -> None:
        self.order += 1
        heapq.heappush(self.queue, (ts, self.order, action, payload))

    def record(self, ts: float, event: dict[str, Any]) -> None:
        ts = max(ts, self.last_ts + 1.0)  # strictly increasing within the client
        self.last_ts = ts
        event["seq"] = len(self.events) + 1  # provisional; renumbered globally
        event["at"] = _local(ts).isoformat()
        event["actor"] = self.rng.choice(ACTORS)
        ledger.apply_to_client(self.view, event)
        self.events.append((ts, len(self.events), event))

    def plan(self) -> None:
        rng = self.rng
        k = PACKAGES_PATTERN[self.i % 20]
        n_bookings = BOOKINGS_PATTERN[self.i % 20]
        kinds = rng.choices(KIND_IDS, weights=KIND_WEIGHTS, k=k)
        spans = [KINDS[kind][3] * rng.uniform(0.6, 1.1) + rng.uniform(0, 60) for kind in kinds]
        horizon = (NOW_TS - START_TS) / DAY - 10
        total = sum(spans)
        if total > horizon:
            spans = [s * horizon / total for s in spans]
            total = horizon
        # Recent clients are more common (a practice grows); u**2 leans to NOW.
        end = NOW_TS - (horizon - total) * DAY * rng.random() ** 2 - rng.uniform(0, 3) * DAY
        first = end - total * DAY
        self.push(first - rng.uniform(600, 7200), "client", None)
        per_package = _split(n_bookings, [KINDS[kind][2] * rng.uniform(0.5, 1.5) for kind in kinds], rng)
        sale = first
        for kind, span, n in zip(kinds, spans, per_package):
            day = _local(sale).date()
            sale_ts = max(_at(day, rng.randint(9, 18), rng.choice((0, 15, 30, 45))), first)
            self.push(sale_ts, "sell", (kind, n, span))
            sale += span * DAY

    def run(self) -> list[tuple[float, int, dict[str, Any]]]:
        self.plan()
        while self.queue:
            ts, _, action, payload = heapq.heappop(self.queue)
            getattr(self, "do_" + action.replace("-", "_"))(ts, payload)
        return self.events

    # -- actions ---------------------------------------------------------------

    def do_client(self, ts: float, _: Any) -> None:
        rng = self.rng
        first, last = self.id.split("-")[:2]
        fields = {
            "name": f"{first.capitalize()} {last.capitalize()}",
            "email": f"{self.id}@example.com",
            "phone": f"+351 91{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)}" if rng.random() < 0.6 else "",
            "tags": rng.sample(["regular", "physio", "yoga", "runner", "gift", "corporate"], rng.choice((0, 0, 1, 1, 2))),
        }
        self.record(ts, add_client(self.id, fields))

    def do_sell(self, ts: float, payload: tuple[str, int, float]) -> None:
        kind, n_bookings, span = payload
        rng = self.rng
        package = self.packages[kind]
        paid = None
        per_session = package.payment.mode == "per-session"
        partly = not per_session and rng.random() < 0.05
        if partly:
            net = package.payment.price
            paid = (net / 2).quantize(Decimal("0.01"))
        event = sell(self.view, package, currency=CURRENCY, sale_date=_local(ts).date(), invoice="pending", paid=paid)
        raw = hashlib.sha256(f"{SEED}:{event['client_package']}".encode("ascii")).digest()[:CODE_BYTES]
        event["code_hash"] = code_hash(new_code(raw))
        self.record(ts, event)
        cp_id = event["client_package"]
        if partly:
            self.push(ts + rng.uniform(3, 30) * DAY, "pay", cp_id)
        # Booking requests over the package's active span, in time order.
        times = sorted(ts + rng.uniform(0.02, 0.9) * span * DAY for _ in range(n_bookings))
        for t in times:
            self.push(t, "book", kind)

    def do_pay(self, ts: float, cp_id: str) -> None:
        if ts > NOW_TS:
            ts = NOW_TS - self.rng.uniform(60, 3600)
        pkg = self.view["packages"][cp_id]
        due = Decimal(pkg["sale"]["total"]) - Decimal(pkg["paid"])
        self.record(ts, pay(pkg, due, CURRENCY, "transfer"))

    def do_book(self, ts: float, kind: str) -> None:
        rng = self.rng
        ts = min(ts, NOW_TS - rng.uniform(60, 6 * 3600))
        ts = max(ts, self.last_ts + 1.0)
        if rng.random() < 0.03:  # now and then something the package does not cover
            service_id = rng.choice(list(SERVICES))
        else:
            service_id = _weighted(rng, KINDS[kind][4])
        service = self.services[service_id]
        day = _local(ts).date() + timedelta(days=rng.randint(1, 14))
        if kind == "morning-yoga" and rng.random() < 0.9:
            while day.weekday() >= 5:
                day += timedelta(days=1)
            hour = rng.randint(7, 10)
        else:
            hour = rng.randint(9, 18)
        start = _at(day, hour, rng.choice((0, 30)))
        session = Session(self.id, service, _local(start), service.duration, None)
        # A generated history is taken as recorded: its clients' sessions are
        # not checked against each other's calendar (rule 21 of docs/rules.md).
        event = plan_booking(self.view, {}, session, now=_local(ts), tz=TZ, currency=CURRENCY, checks=UNCHECKED)
        self.record(ts, event)
        booking_id = event["booking"]["id"]
        # What happens to it: cancelled ahead of time, attended or not.
        roll = rng.random()
        end = start + service.duration * 60
        if roll < 0.14:  # cancelled; about a third of them late (within a day)
            if rng.random() < 0.33 or start - 25 * 3600 <= ts:
                when = start - rng.uniform(1, 20) * 3600
            else:
                when = rng.uniform(ts, start - 25 * 3600)
            when = max(when, ts + 60)
            if when < NOW_TS:
                self.push(when, "cancel", booking_id)
        elif end + 3600 < NOW_TS:
            mark = end + rng.uniform(5, 180) * 60
            if mark < NOW_TS:
                self.push(mark, "no-show" if roll < 0.20 else "attend", booking_id)

    def _change(self, ts: float, booking_id: str, action: str) -> None:
        booking = self.view["bookings"][booking_id]
        event = change_status(booking, self.view, action, now=_local(ts), currency=CURRENCY)
        self.record(ts, event)

    def do_cancel(self, ts: float, booking_id: str) -> None:
        self._change(ts, booking_id, "cancel")

    def do_attend(self, ts: float, booking_id: str) -> None:
        self._change(ts, booking_id, "attend")

    def do_no_show(self, ts: float, booking_id: str) -> None:
        self._change(ts, booking_id, "no-show")


# ---------------------------------------------------------------- the practice


def generate(out: str, scale: float, quiet: bool = False) -> dict[str, Any]:
    """Write the practice at ``scale`` into ``out`` (must not exist); return stats."""
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    if os.path.exists(out) and os.listdir(out):
        raise SystemExit(f"{out} exists and is not empty; remove it first (or choose another --out)")
    started = time.perf_counter()
    n = counts(scale)
    tmp = out.rstrip(os.sep) + ".partial"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    initialise(tmp, settings_text())
    services, packages = build_catalog(tmp)

    t0 = time.perf_counter()
    stamped: list[tuple[float, int, int, dict[str, Any]]] = []
    for i in range(n["clients"]):
        for ts, order, event in ClientSim(i, services, packages).run():
            stamped.append((ts, i, order, event))
        if not quiet and (i + 1) % 1000 == 0:
            say(f"  {i + 1}/{n['clients']} clients simulated ({time.perf_counter() - t0:.0f} s)")
    simulated = time.perf_counter() - t0

    t1 = time.perf_counter()
    stamped.sort(key=lambda item: item[:3])
    stats = {"events": len(stamped), "sold": 0, "booked": 0, "drawn": 0, "attended": 0, "no-show": 0, "cancelled": 0, "late": 0, "paid": 0}
    chunks = [journal.header()]
    for seq, (_, _, _, event) in enumerate(stamped, start=1):
        event["seq"] = seq
        kind = event["type"]
        if kind == "sold":
            stats["sold"] += 1
            event["sale"]["invoice"] = f"{stats['sold']:06d}"  # the CLI's numbering
        elif kind == "booked":
            stats["booked"] += 1
            stats["drawn"] += event["booking"]["draw"] is not None
        elif kind in stats:
            stats[kind] += 1
            stats["late"] += bool(event.get("late"))
        chunks.append(journal.encode(event))
    del stamped
    data = b"".join(chunks)
    del chunks
    with open(os.path.join(tmp, layout.JOURNAL), "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    stats["journal_bytes"] = len(data)
    del data
    written = time.perf_counter() - t1

    t2 = time.perf_counter()
    store = Store(tmp, load_settings(tmp), NOW, "marta")
    files, problems = verify.rebuild(store)
    if problems:
        raise SystemExit("rebuild failed: " + "; ".join(problems))
    rebuilt = time.perf_counter() - t2
    os.replace(tmp, out)

    total = time.perf_counter() - started
    meta = {
        "scale": scale, "seed": SEED, "now": NOW.isoformat(), "timezone": TIMEZONE,
        "clients": n["clients"], "packages": stats["sold"], "bookings": stats["booked"], "stats": stats,
        "view_files": files,
        "seconds": {"simulate": round(simulated, 1), "journal": round(written, 1), "rebuild": round(rebuilt, 1), "total": round(total, 1)},
        "sample": {"heavy": sample_clients(scale, HEAVY, 8), "typical": sample_clients(scale, TYPICAL, 8)},
    }
    with open(out.rstrip(os.sep) + ".meta.json", "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2)
        handle.write("\n")
    say(f"{out}: {n['clients']} clients, {stats['sold']} client packages, {stats['booked']} bookings "
        f"({stats['events']} events, {stats['journal_bytes'] / 2**20:.0f} MiB journal) in {total:.1f} s "
        f"(simulate {simulated:.1f} s, journal {written:.1f} s, rebuild views {rebuilt:.1f} s)")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 10,000 clients (default); 0.1, 0.001, ...")
    parser.add_argument("--out", help="data directory to create (default bench/out/scale-SCALE)")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be more than 0")
    out = os.path.abspath(args.out or os.path.join(HERE, "out", f"scale-{args.scale:g}"))
    if args.force and os.path.exists(out):
        shutil.rmtree(out)
    generate(out, args.scale, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
