"""``report liability``: the prepaid value held for sessions not yet given.

Pure: value summaries of client packages (``domain.value_moves.package_value``)
in, rows out. A roll-forward row, for a month, package, client or service:

    opening + sold + imported + adjusted
            - redeemed - forfeited - expired - refunded - refund difference = closing

Every row reconciles by construction (each column sums the movements of the
period; opening and closing are the value held the day before and on the
last day), and by month each closing is the next opening.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterable, Mapping

from ..domain import valuation
from ..domain.money import quantize
from ..domain.value_moves import COLUMNS, held_by_key, recognised, sign, state_on
from .periods import month_end, month_start

BY = ("month", "package", "client", "service")
ROLL_COLUMNS = ("opening", *COLUMNS, "closing")
BANDS = ((90, "0-90"), (180, "91-180"), (365, "181-365"))


def _zero_row(label: str, key: str) -> dict[str, Any]:
    row: dict[str, Any] = {key: label}
    for column in ROLL_COLUMNS:
        row[column] = Decimal(0)
    return row


def reconciles(row: Mapping[str, Any]) -> bool:
    """opening + additions - reductions == closing."""
    total = row["opening"] + sum(sign(c) * row[c] for c in COLUMNS)
    return total == row["closing"]


def _months(first: date, last: date) -> list[tuple[str, date, date]]:
    out = []
    start = first
    while start <= last:
        end = min(month_end(start), last)
        out.append((start.strftime("%Y-%m"), start, end))
        start = end + timedelta(days=1)
    return out


def rollforward(summaries: Iterable[Mapping[str, Any]], first: date, last: date, by: str, currency: str,
                constant: Decimal = Decimal(0), held: Mapping[str, Decimal] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """``constant`` (by month) and ``held`` (by package or client: per
    label): value held by packages that neither move nor change in the
    period, which a reader may add up without decoding them."""
    rows, totals, at_sale = _rollforward(summaries, first, last, by, constant, held or {})
    for row in [*rows, totals]:
        for column in ROLL_COLUMNS:
            row[column] = _q(row[column], currency)
    return rows, totals, at_sale


def _q(value: Decimal, currency: str) -> Decimal:
    result = quantize(value, currency)
    return result if result else abs(result)


def _rollforward(summaries: Iterable[Mapping[str, Any]], first: date, last: date, by: str,
                 constant: Decimal, held: Mapping[str, Decimal]) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """Roll-forward rows, their totals, and how many unlimited packages
    without a term were recognised at the sale in the period.

    ``constant``: value held by packages that neither moved nor changed in
    the period (a reader may add them up without decoding them); it goes
    into the opening and closing of every month (by month only).
    """
    f, l, before = first.isoformat(), last.isoformat(), (first - timedelta(days=1)).isoformat()
    at_sale = 0
    if by == "month":
        months = _months(first, last)
        rows = {label: _zero_row(label, "month") for label, _, _ in months}
        index = {}
        for label, lo, hi in months:
            d = lo
            while d <= hi:
                index[d.isoformat()] = label
                d += timedelta(days=1)
        opening = constant
        for summary in summaries:
            opening += sum(held_by_key(summary, before).values(), Decimal(0))
            for move in summary["moves"]:
                if f <= move[0] <= l:
                    rows[index[move[0]]][move[1]] += Decimal(move[3])
                    if summary.get("at_sale") and move[1] == "sold":
                        at_sale += 1
            for entry in summary["lin"]:
                if entry[5] > l or entry[4] < f:
                    continue
                for label, lo, hi in months:
                    rows[label]["redeemed"] += recognised(entry, lo.isoformat(), hi.isoformat())
        ordered = [rows[label] for label, _, _ in months]
        for row in ordered:
            row["opening"] = opening
            row["closing"] = opening + sum(sign(c) * row[c] for c in COLUMNS)
            opening = row["closing"]
        totals = _zero_row("total", "month")
        for column in COLUMNS:
            totals[column] = sum((r[column] for r in ordered), Decimal(0))
        totals["opening"] = ordered[0]["opening"] if ordered else constant
        totals["closing"] = ordered[-1]["closing"] if ordered else constant
        return ordered, totals, at_sale
    rows: dict[str, dict[str, Any]] = {}
    for label, value in held.items():
        row = rows[label] = _zero_row(label, by)
        row["opening"] += value
        row["closing"] += value
    for summary in summaries:
        opening = held_by_key(summary, before)
        closing = held_by_key(summary, l)
        for key in summary["parts"]:
            label = {"package": summary["package"], "client": summary["owner"], "service": summary["groups"][key]}[by]
            row = rows.get(label)
            if row is None:
                row = rows[label] = _zero_row(label, by)
            row["opening"] += opening.get(key, Decimal(0))
            row["closing"] += closing.get(key, Decimal(0))
        for move in summary["moves"]:
            if f <= move[0] <= l:
                key = move[2]
                label = {"package": summary["package"], "client": summary["owner"], "service": summary["groups"][key]}[by]
                rows[label][move[1]] += Decimal(move[3])
                if summary.get("at_sale") and move[1] == "sold":
                    at_sale += 1
        for entry in summary["lin"]:
            label = {"package": summary["package"], "client": summary["owner"], "service": summary["groups"][entry[0]]}[by]
            rows[label]["redeemed"] += recognised(entry, f, l)
    ordered = [rows[label] for label in sorted(rows)
               if any(rows[label][c] for c in ROLL_COLUMNS)]
    totals = _zero_row("total", by)
    for column in ROLL_COLUMNS:
        totals[column] = sum((r[column] for r in ordered), Decimal(0))
    return ordered, totals, at_sale


def _band(age: int) -> str:
    for limit, label in BANDS:
        if age <= limit:
            return label
    return "over 365"


def snapshot(summaries: Iterable[Mapping[str, Any]], day: date, currency: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``--as-of``: each client package holding value at the end of ``day``:
    units left, unit value, value held, age (days since the sale) and band."""
    text = day.isoformat()
    ordinal = day.toordinal()
    rows = []
    unit_texts: dict[tuple[str, Any], str] = {}  # (part value, units bought) -> "KEY unit value"
    for summary in summaries:
        if summary["sold_on"] > text and not any(m[0] <= text for m in summary["moves"]):
            continue
        held, units, expired = state_on(summary, text)
        value = sum(held.values(), Decimal(0))
        if not value:
            continue
        left = []
        unit_values = []
        for key, part in summary["parts"].items():
            if part[1] == valuation.UNLIMITED:
                left.append(f"{key} {valuation.UNLIMITED}")
            else:
                left.append(f"{key} {_plain(units.get(key, 0))}")
            known = (part[0], part[1])
            if known not in unit_texts:
                unit = valuation.unit_value(part, currency)
                unit_texts[known] = format(unit, "f") if unit is not None else "per day"
            unit_values.append(f"{key} {unit_texts[known]}")
        age = ordinal - date.fromisoformat(summary["sold_on"]).toordinal()
        expires = summary.get("expires")
        note = "expired, not yet recorded" if expires and expires < text and not expired else ""
        rows.append({
            "client": summary["owner"], "id": summary["id"], "package": summary["package"],
            "sold": summary["sold_on"], "left": ", ".join(left), "unit_value": ", ".join(unit_values),
            "held": _q(value, currency), "age": age, "band": _band(age), "expires": expires, "note": note,
        })
    rows.sort(key=lambda r: (r["client"], _number(r["id"])))
    totals: dict[str, Any] = {"held": _q(sum((r["held"] for r in rows), Decimal(0)), currency), "packages": len(rows)}
    by_band: dict[str, Decimal] = {}
    for row in rows:
        by_band[row["band"]] = by_band.get(row["band"], Decimal(0)) + row["held"]
    for _, label in (*BANDS, (0, "over 365")):
        totals[label] = _q(by_band.get(label, Decimal(0)), currency)
    return rows, totals


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text
    return str(value)


def _number(cp_id: str) -> tuple[str, int]:
    head, _, tail = cp_id.rpartition(".p")
    return (head, int(tail) if tail.isdigit() else 0)
