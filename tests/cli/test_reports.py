"""report ... and statement on the CLI: periods, refusals word for word,
JSON shape, tables at 80 columns, and statements that end at the balance."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sessionpack.cli.app import app
from sessionpack.cli.report_output import write_report_table

EXAMPLE = Path(__file__).parent.parent.parent / "data-example"
NOW = "2026-03-02T09:00"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy = tmp_path / "data-example"
    shutil.copytree(EXAMPLE, copy)
    return copy


def run(example: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--data-dir", str(example), "--now", NOW, *args])


REFUSALS = [
    (("report", "sales", "--from", "March"), "--from 'March' is not a date: use YYYY-MM-DD, today, tomorrow, yesterday, a weekday (fri), +Nd, -Nd, +Nw or -Nw"),
    (("report", "usage", "--from", "2026-03-10", "--to", "2026-03-01"), "--to 2026-03-01 is before --from 2026-03-10; give the first and the last day"),
    (("report", "bookings", "--unmarked", "--from", "today"), "--unmarked covers every past day; leave out --from and --to"),
    (("report", "bookings", "--status", "gone"), "--status 'gone' is not a booking status; use one of booked, attended, no-show, cancelled, late-cancelled"),
    (("report", "liability", "--as-of", "2026-02-28", "--to", "today"), "--as-of gives a snapshot of one day; leave out --from and --to"),
    (("report", "liability", "--as-of", "2026-02-30"), "--as-of '2026-02-30' is not a date: use YYYY-MM-DD, today, tomorrow, yesterday, a weekday (fri), +Nd, -Nd, +Nw or -Nw"),
    (("report", "liability", "--from", "0001-01-01", "--to", "0001-01-31"), "--from 0001-01-01 is out of range: use a date from 1900-01-01 to 2999-12-31"),
    (("report", "liability", "--as-of", "9999-12-31"), "--as-of 9999-12-31 is out of range: use a date from 1900-01-01 to 2999-12-31"),
    (("report", "bookings", "--from", "2026-03-01", "--to", "9999-12-31"), "--to 9999-12-31 is out of range: use a date from 1900-01-01 to 2999-12-31"),
    (("report", "sales", "--from", "-99999w"), "--from '-99999w' is not a date: use YYYY-MM-DD, today, tomorrow, yesterday, a weekday (fri), +Nd, -Nd, +Nw or -Nw"),
    (("report", "usage", "--from", "-9999w"), "--from 1834-07-14 is out of range: use a date from 1900-01-01 to 2999-12-31"),
    (("statement", "ana", "--to", "3000-01-01"), "--to 3000-01-01 is out of range: use a date from 1900-01-01 to 2999-12-31"),
    (("report", "sales", "--status", "open"), "--status 'open' is not a client package status; use one of active, paused, used up, expired, transferred, cancelled, refunded"),
    (("statement", "zoe"), "no client 'zoe'; see 'sessionpack client list' or add one with 'sessionpack client add'"),
    (("statement", "ana", "--package", "bruno.p1"), "ana has no client package 'bruno.p1'; see 'sessionpack balance ana'"),
    (("statement", "ana", "--package", "p1"), "--package 'p1' is not a client package id like ana.p1"),
    # A filter naming what the practice does not have is a typo, not an empty report ("Nothing is owed").
    (("report", "outstanding", "--client", "brunoo"), "no client 'brunoo'; see 'sessionpack client list' or add one with 'sessionpack client add'"),
    (("report", "bookings", "--client", "brunoo"), "no client 'brunoo'; see 'sessionpack client list' or add one with 'sessionpack client add'"),
    (("report", "bookings", "--unmarked", "--service", "masage"), "no service 'masage'; see 'sessionpack service list --all'"),
    (("report", "sales", "--package", "five"), "no package 'five'; see 'sessionpack package list --all'"),
    (("report", "usage", "--package", "ana.p9"), "no client package 'ana.p9'; see 'sessionpack balance ana'"),
    (("report", "usage", "--service", "yoga"), "no service 'yoga'; see 'sessionpack service list --all'"),
    (("report", "expiring", "--client", "zoe"), "no client 'zoe'; see 'sessionpack client list' or add one with 'sessionpack client add'"),
]


@pytest.mark.parametrize("args,message", REFUSALS, ids=[" ".join(a) for a, _ in REFUSALS])
def test_bad_input_is_refused_with_one_line(example: Path, args: tuple[str, ...], message: str) -> None:
    journal = (example / "journal.jsonl").read_bytes()
    result = run(example, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")
    assert (example / "journal.jsonl").read_bytes() == journal


@pytest.mark.parametrize("args", [
    ("report", "bookings", "--from", "2999-12-31", "--to", "2999-12-31"),
    ("report", "sales", "--from", "2999-12-31", "--to", "2999-12-31"),
    ("report", "usage", "--from", "1900-01-01", "--to", "1900-01-31"),
    ("report", "liability", "--from", "1900-01-01", "--to", "1900-01-01", "--by", "client"),
    ("report", "liability", "--from", "2999-12-01", "--to", "2999-12-31"),
    ("report", "liability", "--as-of", "1900-01-01"),
    ("report", "liability", "--as-of", "2999-12-31"),
], ids=" ".join)
def test_the_calendar_s_first_and_last_days_are_a_period_like_any_other(example: Path, args: tuple[str, ...]) -> None:
    result = run(example, *args, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    report = json.loads(result.stdout)
    given = dict(zip(args[2::2], args[3::2]))
    assert (report.get("from"), report.get("to"), report.get("as_of")) == (given.get("--from"), given.get("--to"), given.get("--as-of"))
    if (report.get("to") or report["as_of"]) < "2000":  # before the practice: nothing
        assert report["rows"] == []


def test_weekdays_and_weeks_are_period_bounds(example: Path) -> None:  # 2026-03-02 is a Monday
    words = json.loads(run(example, "report", "sales", "--from", "-2w", "--to", "fri", "--format", "json").stdout)
    assert (words["from"], words["to"]) == ("2026-02-16", "2026-03-06")
    after = json.loads(run(example, "report", "bookings", "--from", "next mon", "--to", "+2w", "--format", "json").stdout)
    assert (after["from"], after["to"]) == ("2026-03-09", "2026-03-16")


def test_a_statement_period_may_be_open_at_either_end(example: Path) -> None:
    whole = json.loads(run(example, "statement", "bruno", "--package", "bruno.p1", "--format", "json").stdout)
    since = run(example, "statement", "bruno", "--package", "bruno.p1", "--from", "2026-02-20", "--format", "json")
    until = run(example, "statement", "bruno", "--package", "bruno.p1", "--to", "2026-02-19", "--format", "json")
    assert (since.exit_code, since.stderr, until.exit_code, until.stderr) == (0, "", 0, "")
    since_json, until_json = json.loads(since.stdout), json.loads(until.stdout)
    assert (since_json["from"], since_json["to"], until_json["from"], until_json["to"]) == ("2026-02-20", None, None, "2026-02-19")
    entries = whole["packages"][0]["entries"]
    later = [e for e in entries if e["date"] >= "2026-02-20"]
    assert since_json["packages"][0]["entries"][1:] == later
    assert since_json["packages"][0]["entries"][0]["entry"] == "brought forward"
    assert until_json["packages"][0]["entries"] == [e for e in entries if e["date"] <= "2026-02-19"]
    text = run(example, "statement", "bruno", "--from", "2026-02-20").stdout.splitlines()
    assert text[3] == "period from 2026-02-20"
    assert run(example, "statement", "bruno", "--to", "2026-02-19").stdout.splitlines()[3] == "period to 2026-02-19"


def test_period_words_mean_the_same_days_everywhere(example: Path) -> None:
    words = json.loads(run(example, "report", "bookings", "--from", "tomorrow", "--to", "+3d", "--format", "json").stdout)
    dates = json.loads(run(example, "report", "bookings", "--from", "2026-03-03", "--to", "2026-03-05", "--format", "json").stdout)
    assert (words["from"], words["to"]) == ("2026-03-03", "2026-03-05")
    assert words["rows"] == dates["rows"]
    assert [r["booking"] for r in words["rows"]] == ["ana.b5", "eva.b5", "bruno.b8", "ana.b3", "bruno.b11"]


def test_json_has_rows_and_totals_apart_with_amounts_as_strings(example: Path) -> None:
    data = json.loads(run(example, "report", "sales", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "json").stdout)
    assert set(data) == {"report", "from", "to", "currency", "rows", "totals", "warnings"}
    assert data["totals"] == {"sales": 7, "price": "1700.00", "tax": "108.10", "total": "1808.10", "paid": "1288.10",
                              "due": "520.00", "refunded": "127.92"}
    assert all(isinstance(row["total"], str) for row in data["rows"])


def test_filters(example: Path) -> None:
    rows = json.loads(run(example, "report", "bookings", "--from", "2026-01-01", "--to", "2026-03-31", "--provider", "joao",
                          "--format", "json").stdout)["rows"]
    assert [r["booking"] for r in rows] == ["eva.b3", "eva.b4", "eva.b5"]
    sales = json.loads(run(example, "report", "sales", "--from", "2026-01-01", "--to", "2026-03-31", "--status", "refunded",
                           "--format", "json").stdout)["rows"]
    assert [s["id"] for s in sales] == ["bruno.p2"]
    owed = json.loads(run(example, "report", "outstanding", "--client", "bruno", "--format", "json").stdout)
    assert owed["totals"] == {"due": "240.00", "items": 1, "clients": {"bruno": "240.00"}, "owed_back": "0.00"}


def test_expiring_notice_column_says_not_sent_before_any_notice_is_recorded(example: Path) -> None:
    rows = json.loads(run(example, "report", "expiring", "--within", "60", "--format", "json").stdout)["rows"]
    assert {r["id"]: r["notice"] for r in rows} == {"diogo.p1": "not sent", "ana.p1": "not sent", "bruno.p1": "not sent"}


def test_a_package_past_its_date_without_a_recorded_expiry_still_holds_value(example: Path) -> None:
    later = CliRunner().invoke(app, ["--data-dir", str(example), "--now", "2026-05-01T09:00", "report", "liability",
                                     "--as-of", "2026-04-30", "--format", "json"])
    rows = {r["id"]: r for r in json.loads(later.stdout)["rows"]}
    assert rows["ana.p1"]["note"] == "expired, not yet recorded"
    assert rows["ana.p1"]["held"] == "78.75"


def _all_values(example: Path) -> list[dict]:
    """Every value summary of the report views, each line decoded."""
    return [json.loads(line)[5] for shard in sorted((example / "views" / "value").glob("*.jsonl"))
            for line in shard.read_bytes().splitlines()]


@pytest.mark.parametrize("now,first,last", [("2026-03-02T09:00", "2026-03-01", "2026-03-31"),
                                            ("2026-06-30T09:00", "2026-04-01", "2026-06-30"),
                                            ("2026-03-02T09:00", "2025-12-01", "2026-02-28")])
def test_liability_read_without_decoding_every_line_is_the_liability_of_every_line(example: Path, now: str, first: str,
                                                                                    last: str) -> None:
    """The report adds up, from their fixed prefix, the packages that do not
    move in the period (and skips those holding nothing): the result is what
    the pure report gives over every line decoded."""
    from datetime import date

    from sessionpack.reports import liability

    summaries = _all_values(example)
    assert any(line_last < first and held != "0.00" for line_last, held in
               ((json.loads(line)[0], json.loads(line)[4]) for shard in (example / "views" / "value").glob("*.jsonl")
                for line in shard.read_bytes().splitlines())) == (first != "2025-12-01")
    for by in ("month", "package", "client", "service"):
        rows, totals, _ = liability.rollforward(summaries, date.fromisoformat(first), date.fromisoformat(last), by, "EUR")
        got = json.loads(CliRunner().invoke(app, ["--data-dir", str(example), "--now", now, "report", "liability", "--from", first,
                                                  "--to", last, "--by", by, "--format", "json"]).stdout)
        assert [got["rows"], got["totals"]] == json.loads(json.dumps((rows, totals), default=str)), by
    rows, totals = liability.snapshot(summaries, date.fromisoformat(last), "EUR")
    got = json.loads(CliRunner().invoke(app, ["--data-dir", str(example), "--now", now, "report", "liability", "--as-of", last,
                                              "--format", "json"]).stdout)
    assert [got["rows"], got["totals"]] == json.loads(json.dumps((rows, totals), default=str))
    assert got["rows"]


@pytest.mark.parametrize("client", ["ana", "bruno", "carla", "diogo", "eva"])
def test_each_statement_ends_at_the_balance(example: Path, client: str) -> None:
    statement = json.loads(run(example, "statement", client, "--format", "json").stdout)
    balance = {b["id"]: b["remaining"] for b in json.loads(run(example, "balance", client, "--all", "--format", "json").stdout)}
    for pkg in statement["packages"]:
        assert pkg["remaining"] == balance[pkg["id"]]
        last = pkg["entries"][-1]["balance"]
        words = [str(v) if k in ("count", "money", "unlimited") else (f"{v} min" if k == "minutes" else f"{k} {v}")
                 for k, v in balance[pkg["id"]].items()]
        assert last == ", ".join(words)


def test_tables_at_80_columns_never_cut_ids_dates_or_amounts() -> None:
    rows = [{"date": "2026-03-03", "booking": "a-very-long-client-id-number-1.b123", "attendee": "Someone With A Long Name " * 2,
             "fee": "1234567.89"}]
    narrow = io.StringIO()
    write_report_table(["date", "booking", "attendee", "fee"], rows, "Sessions", wrap=("attendee",), width=80, stream=narrow)
    text = narrow.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines())
    for whole in ("2026-03-03", "a-very-long-client-id-number-1.b123", "1234567.89"):
        assert whole in text
    too_wide = io.StringIO()
    write_report_table(["date", "booking", "fee"], [dict(rows[0], booking="x" * 90)], "Sessions", width=80, stream=too_wide)
    assert "x" * 90 in too_wide.getvalue()  # written plain: the terminal wraps the line, nothing is cut


def test_stored_text_reaches_a_report_table_without_terminal_escapes() -> None:
    for width in (80, None):
        out = io.StringIO()
        write_report_table(["reference"], [{"reference": "inv\x1b[31m-7"}], "Outstanding", width=width or 200, stream=out)
        assert "\x1b" not in out.getvalue() and "inv\\x1b[31m-7" in out.getvalue()


def test_a_long_report_piped_is_the_plain_table_of_every_cell(capsys: pytest.CaptureFixture[str]) -> None:
    """Piped, report tables are made column by column: the same text as the
    plain table of each cell shown (control characters escaped, amounts and
    counts as text, missing cells empty), non-ASCII text included."""
    from decimal import Decimal

    from sessionpack.cli.output import plain_table_lines, reset_screen
    from sessionpack.domain.text import shown

    rows = [{"client": "ana", "what": "fee massage", "due": "90.00", "age": 3},
            {"client": "bob\x1b[31m", "what": "sale x", "due": Decimal("5.5"), "age": 120},
            {"client": "bob total", "due": Decimal("95.50")},
            {"client": "zoë", "what": "tab\there", "due": None, "age": True}]
    columns = ["client", "what", "due", "age"]
    for body in (rows[:3], rows):
        reset_screen()
        write_report_table(columns, body, "Outstanding")
        expected = plain_table_lines(columns, [[shown(_text(row.get(c))) for c in columns] for row in body], "Outstanding")
        assert capsys.readouterr().out == "".join(line + "\n" for line in expected)


def _text(value: object) -> str:
    from decimal import Decimal

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def test_a_paused_unlimited_package_spreads_its_value_over_the_longer_term(practice) -> None:  # type: ignore[no-untyped-def]
    """The worked example of docs/reports.md (liability: unlimited, paused)."""
    from cli_util import ok

    ok(practice("package", "create", "sauna-pass", "--name", "Sauna pass", "--pool", "unlimited", "--services", "massage",
                "--price", "70", "--expires", "10 days"))
    ok(practice("sell", "ana", "sauna-pass", now="2026-01-01T09:00"))

    def liability(now: str, *args: str) -> dict:
        return json.loads(ok(practice("report", "liability", *args, "--format", "json", now=now)))["totals"]

    before = liability("2026-01-04T20:00", "--from", "2026-01-01", "--to", "2026-01-04")
    assert (before["redeemed"], before["closing"]) == ("25.45", "44.55")
    ok(practice("pause", "ana.p1", "2026-01-05", "2026-01-06", now="2026-01-04T21:00"))
    after = liability("2026-01-04T22:00", "--from", "2026-01-01", "--to", "2026-01-04")
    assert (after["redeemed"], after["closing"]) == ("21.54", "48.46")
    assert liability("2026-01-04T22:00", "--as-of", "2026-01-06")["held"] == "37.69"
    month = liability("2026-01-20T09:00", "--from", "2026-01-01", "--to", "2026-01-31")
    assert (month["redeemed"], month["closing"]) == ("70.00", "0.00")


_CELL = (st.none() | st.text(max_size=6) | st.sampled_from(["90.00", "zoë", "a\nb", "c\rd", "tab\there", "\x1b[2J", ""])
         | st.integers(-5, 4000) | st.decimals(allow_nan=False, allow_infinity=False, places=2) | st.booleans())


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.dictionaries(st.sampled_from(["client", "what", "due", "age"]), _CELL), max_size=6),
       title=st.none() | st.sampled_from(["Outstanding", "Sales 1–31 Oct", "two\nlines"]))
def test_the_quick_plain_text_of_a_report_is_the_plain_table_of_every_cell(rows: list[dict], title: str | None) -> None:
    from sessionpack.cli.output import plain_table_lines
    from sessionpack.cli.report_output import column_cells, plain_text
    from sessionpack.domain.text import shown

    columns = ["client", "what", "due", "age"]
    expected = plain_table_lines(columns, [[shown(_text(row.get(c))) for c in columns] for row in rows], title)
    assert plain_text(columns, column_cells(columns, rows), title) == "".join(line + "\n" for line in expected)


def test_a_statement_dates_a_package_received_by_transfer_at_the_transfer(example: Path) -> None:
    """Ana receives one of Bruno's physio sessions on 2 March: her statement
    starts on that day (nothing brought forward into February), and its
    header says when and from whom she received it, not Bruno's sale and
    invoice."""
    from cli_util import ok

    ok(run(example, "transfer", "bruno.p1", "ana", "--sessions", "1", "--reason", "gift", "--yes"))
    [pkg] = json.loads(ok(run(example, "statement", "ana", "--package", "ana.p2", "--format", "json")))["packages"]
    assert (pkg["sold"], pkg["invoice"], pkg["received"]) == (None, None, {"date": "2026-03-02", "from": "bruno", "package": "bruno.p1"})
    assert pkg["entries"] == [{"date": "2026-03-02", "entry": "received by transfer", "detail": "from bruno.p1: gift",
                               "change": "+1", "balance": "1"}]
    february = json.loads(ok(run(example, "statement", "ana", "--package", "ana.p2", "--from", "2026-02-01", "--to", "2026-02-28",
                                 "--format", "json")))
    assert february["packages"][0]["entries"] == []
    since = json.loads(ok(run(example, "statement", "ana", "--package", "ana.p2", "--from", "2026-02-01", "--format", "json")))
    assert [e["entry"] for e in since["packages"][0]["entries"]] == ["received by transfer"]
    text = ok(run(example, "statement", "ana", "--package", "ana.p2", "--format", "text")).splitlines()
    assert text[4:8] == ["10 physiotherapy sessions (ana.p2)",
                         "received 2026-03-02 by transfer from bruno (bruno.p1) · nothing to pay",
                         "expires 2026-04-14 (kept from the transfer)",
                         "used 0 of 1 · 0 booked · 1 free to book · valid through 14 Apr 2026"]
    assert "000002" not in "\n".join(text)
    bruno = json.loads(ok(run(example, "statement", "bruno", "--package", "bruno.p1", "--format", "json")))["packages"][0]
    assert [e for e in bruno["entries"] if e["entry"] == "transfer"] == [
        {"date": "2026-03-02", "entry": "transfer", "detail": "to ana.p2: gift", "change": "-1", "balance": "2"}]
    assert (bruno["sold"], bruno["invoice"], bruno["received"]) == ("2026-01-10", "000002", None)


def test_same_day_sessions_are_listed_and_numbered_by_start_time(practice) -> None:  # type: ignore[no-untyped-def]
    """Booked 18:00 first, then 09:00: the statement and report usage list
    the 09:00 session first, and the statement numbers it session 1."""
    from cli_util import ok

    ok(practice("package", "create", "five", "--name", "Five", "--service", "massage=5", "--price", "400"))
    ok(practice("sell", "ana", "five", now="2026-03-01T08:00"))
    ok(practice("book", "ana", "massage", "2026-03-05T18:00", now="2026-03-01T08:00"))
    ok(practice("book", "ana", "massage", "2026-03-05T09:00", now="2026-03-01T08:00"))
    ok(practice("book", "ana", "massage", "2026-03-06T08:00", now="2026-03-01T08:00"))
    [pkg] = json.loads(ok(practice("statement", "ana", "--format", "json", now="2026-03-02T08:00")))["packages"]
    assert [(e["date"], e["entry"], e["detail"], e["balance"]) for e in pkg["entries"]] == [
        ("2026-03-01", "bought", "Five (five)", "massage 5"),
        ("2026-03-05", "session 1 of 5", "Massage 60 09:00, booked", "massage 4"),
        ("2026-03-05", "session 2 of 5", "Massage 60 18:00, booked", "massage 3"),
        ("2026-03-06", "session 3 of 5", "Massage 60 08:00, booked", "massage 2"),
    ]
    usage = json.loads(ok(practice("report", "usage", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json",
                                   now="2026-03-02T08:00")))
    assert [(r["date"], r["booking"]) for r in usage["rows"]] == [("2026-03-05", "ana.b2"), ("2026-03-05", "ana.b1"),
                                                                  ("2026-03-06", "ana.b3")]


def test_report_expiring_values_an_unlimited_package_as_liability_does(practice) -> None:  # type: ignore[no-untyped-def]
    """30.00 for 31 days (1 to 31 March): at the end of 11 March 20 days are
    left, 19.35, in both reports."""
    from cli_util import ok

    ok(practice("package", "create", "u", "--name", "U", "--pool", "unlimited", "--services", "massage", "--price", "30",
                "--expires", "30 days"))
    ok(practice("sell", "ana", "u", now="2026-03-01T09:00"))
    expiring = json.loads(ok(practice("report", "expiring", "--format", "json", now="2026-03-11T09:00")))
    held = json.loads(ok(practice("report", "liability", "--as-of", "2026-03-11", "--format", "json", now="2026-03-11T09:00")))
    assert [(r["id"], r["value"]) for r in expiring["rows"]] == [("ana.p1", "19.35")]
    assert expiring["totals"]["value"] == "19.35"
    assert [(r["id"], r["held"]) for r in held["rows"]] == [("ana.p1", "19.35")]


def test_report_outstanding_leaves_out_a_session_not_started_when_the_clocks_go_back(sp) -> None:  # type: ignore[no-untyped-def]
    """New York, 1 November 2026: 01:15 EST (-05:00) comes 55 minutes after
    01:20 EDT (-04:00). At 01:20 EDT the session has not started: neither
    report outstanding nor report bookings --unmarked lists it; at 01:16 EST
    both do."""
    from cli_util import ok

    for args in (("init", "--timezone", "America/New_York", "--yes"),
                 ("service", "add", "s", "--name", "S", "--duration", "30", "--price", "10"),
                 ("client", "add", "a", "--name", "A")):
        ok(sp(*args, now="2026-10-30T08:00"))
    ok(sp("book", "a", "s", "2026-11-01T01:15-05:00", "--no-package", now="2026-10-30T08:00"))

    def listed(now: str) -> tuple[list[str], list[str]]:
        owed = json.loads(ok(sp("report", "outstanding", "--format", "json", now=now)))["rows"]
        unmarked = json.loads(ok(sp("report", "bookings", "--unmarked", "--format", "json", now=now)))["rows"]
        return [r["item"] for r in owed], [r["booking"] for r in unmarked]

    assert listed("2026-11-01T01:20-04:00") == ([], [])
    assert listed("2026-11-01T01:16-05:00") == (["a.b1"], ["a.b1"])


# ---------------------------------------------------------------- liability: imports, transfers, reopens


def _utc_practice(runner, *services: tuple[str, str, str]):  # type: ignore[no-untyped-def]
    """A practice in UTC with ``services``, and a runner at ``NOW`` unless told."""
    from cli_util import ok

    def sp(*args: str, now: str = NOW):  # type: ignore[no-untyped-def]
        return runner(*args, now=now)

    ok(sp("init", "--name", "T", "--currency", "EUR", "--timezone", "UTC"))
    for sid, duration, price in services:
        ok(sp("service", "add", sid, "--name", sid, "--duration", duration, "--price", price))
    return sp


def _sold_to_ana(runner, service: tuple[str, str, str], package: tuple[str, ...], *others: str, now: str = NOW):  # type: ignore[no-untyped-def]
    """``_utc_practice`` with ``service``, the package ``package`` (the
    arguments of ``package create``), ana and ``others`` as clients, and the
    package sold to ana (at ``now``)."""
    from cli_util import ok

    sp = _utc_practice(runner, service)
    ok(sp("package", "create", *package))
    for client in ("ana", *others):
        ok(sp("client", "add", client, "--name", client.title()))
    ok(sp("sell", "ana", package[0], now=now))
    return sp


def _liability(sp, now: str, *args: str) -> dict:  # type: ignore[no-untyped-def]
    from cli_util import ok

    return json.loads(ok(sp("report", "liability", *args, "--format", "json", now=now)))


_ROLL = ("opening", "sold", "imported", "redeemed", "expired", "adjusted", "closing")


def _roll(row: dict) -> tuple[str, ...]:
    return tuple(row[c] for c in _ROLL)


def test_an_imported_unlimited_package_brings_what_its_term_still_holds_on_the_day_it_is_recorded(sp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cli_util import ok

    sp = _utc_practice(sp, ("mas", "60", "60"))
    ok(sp("package", "create", "sw", "--name", "sw", "--pool", "unlimited", "--services", "mas", "--price", "70",
          "--expires", "1 month"))
    sheet = tmp_path / "imp.csv"
    sheet.write_text("client,package,ref,date,remaining,name\ndee,sw,r4,2026-02-20,unlimited,Dee\n")
    ok(sp("sell", "--csv", str(sheet), "--create-clients"))
    # a term of 29 days (20 February to 20 March): 19 of them still to come on 2 March, 70.00 x 19/29
    months = _liability(sp, NOW, "--from", "2026-01-01", "--to", "2026-03-31")
    assert [_roll(r) for r in months["rows"]] == [
        ("0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"),
        ("0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"),
        ("0.00", "0.00", "45.86", "45.86", "0.00", "0.00", "0.00")]
    day = _liability(sp, NOW, "--from", "2026-03-02", "--to", "2026-03-02", "--by", "package")
    assert _roll(day["totals"]) == ("0.00", "0.00", "45.86", "2.41", "0.00", "0.00", "43.45")
    assert _liability(sp, NOW, "--as-of", "2026-03-01")["rows"] == []


def test_a_transferred_first_use_package_not_started_is_recognised_from_the_receiver_s_first_use(sp) -> None:  # type: ignore[no-untyped-def]
    from cli_util import ok

    sp = _sold_to_ana(sp, ("sauna", "30", "12"), ("sw", "--name", "sw", "--pool", "unlimited", "--services", "sauna",
                                                  "--price", "100", "--expires", "10 days from first use"), "bob")
    ok(sp("transfer", "ana.p1", "bob", "--all", "--reason", "gift", "--yes", now="2026-03-05T09:00"))
    later = "2026-03-20T09:00"
    ok(sp("sell", "ana", "sw", now=later))
    ok(sp("book", "ana", "sauna", "2026-03-21T11:00", now=later))
    ok(sp("book", "bob", "sauna", "2026-03-21T10:00", now=later))
    held = {r["id"]: (r["held"], r["expires"]) for r in _liability(sp, later, "--as-of", "2026-03-20")["rows"]}
    assert held == {"ana.p2": ("100.00", "2026-03-31"), "bob.p1": ("100.00", "2026-03-31")}
    # 11 days from 21 March: 100.00 x 10/11 still held at the end of the first
    assert {r["id"]: r["held"] for r in _liability(sp, later, "--as-of", "2026-03-21")["rows"]} == {"ana.p2": "90.91", "bob.p1": "90.91"}


def test_reopening_an_expired_package_leaves_the_expiry_in_its_period_and_adjusts_on_the_day_of_the_reopen(sp) -> None:  # type: ignore[no-untyped-def]
    from cli_util import ok

    sp = _sold_to_ana(sp, ("mas", "60", "60"), ("three", "--name", "three", "--service", "mas=3", "--price", "100",
                                                 "--expires", "10 days"))
    ok(sp("notify", "--quiet", now="2026-03-14T09:00"))
    april = "2026-04-02T09:00"
    before = _liability(sp, april, "--from", "2026-03-01", "--to", "2026-04-30")
    ok(sp("adjust", "ana.p1", "--expires", "2026-06-30", "--reason", "reopen", now=april))
    after = _liability(sp, april, "--from", "2026-03-01", "--to", "2026-04-30")
    assert before["rows"][0] == after["rows"][0]
    assert [_roll(r) for r in after["rows"]] == [
        ("0.00", "100.00", "0.00", "0.00", "100.00", "0.00", "0.00"),
        ("0.00", "0.00", "0.00", "0.00", "0.00", "100.00", "100.00")]
    assert _liability(sp, april, "--as-of", "2026-03-15")["rows"] == []
    assert _liability(sp, april, "--as-of", "2026-04-02")["totals"]["held"] == "100.00"


def test_a_reopened_unlimited_package_holds_again_what_its_new_term_still_holds_and_a_transfer_moves_it_whole(sp) -> None:  # type: ignore[no-untyped-def]
    from cli_util import ok

    sp = _sold_to_ana(sp, ("mas", "60", "60"), ("sw", "--name", "sw", "--pool", "unlimited", "--services", "mas",
                                                 "--price", "100", "--expires", "9 days"), "bob")
    ok(sp("notify", "--quiet", now="2026-03-14T09:00"))
    ok(sp("adjust", "ana.p1", "--expires", "2026-04-30", "--reason", "reopen", now="2026-04-02T09:00"))
    ok(sp("transfer", "ana.p1", "bob", "--all", "--reason", "gift", "--yes", now="2026-04-10T09:00"))
    report = _liability(sp, "2026-05-10T09:00", "--from", "2026-03-01", "--to", "2026-05-31", "--by", "client")
    # the term is now 2 March to 30 April (60 days): on 2 April 29 are left (48.33), on 10 April 21 (35.00)
    assert {r["client"]: _roll(r) for r in report["rows"]} == {
        "ana": ("0.00", "100.00", "0.00", "113.33", "0.00", "13.33", "0.00"),
        "bob": ("0.00", "0.00", "0.00", "35.00", "0.00", "35.00", "0.00")}
    march = _liability(sp, "2026-05-10T09:00", "--from", "2026-03-01", "--to", "2026-03-31")
    assert _roll(march["totals"]) == ("0.00", "100.00", "0.00", "100.00", "0.00", "0.00", "0.00")


def test_a_transfer_after_a_session_of_the_same_day_moves_value_without_making_any(sp) -> None:  # type: ignore[no-untyped-def]
    from cli_util import ok

    sp = _sold_to_ana(sp, ("mas", "60", "60"), ("three", "--name", "three", "--service", "mas=3", "--price", "100"), "bob",
                      now="2026-03-02T07:00")
    ok(sp("book", "ana", "mas", "2026-03-02T08:00", now="2026-03-02T07:00"))
    ok(sp("attend", "ana.b1"))
    ok(sp("transfer", "ana.p1", "bob", "--sessions", "1", "--reason", "gift"))
    report = _liability(sp, NOW, "--from", "2026-03-01", "--to", "2026-03-31", "--by", "client")
    # within the day the transfer comes first: 3 sessions (100.00) to 2 (66.67) moves 33.33, the session 33.34
    assert {r["client"]: _roll(r) for r in report["rows"]} == {
        "ana": ("0.00", "100.00", "0.00", "33.34", "0.00", "-33.33", "33.33"),
        "bob": ("0.00", "0.00", "0.00", "0.00", "0.00", "33.33", "33.33")}
    assert _roll(report["totals"]) == ("0.00", "100.00", "0.00", "33.34", "0.00", "0.00", "66.66")


def test_an_expiry_that_forfeited_nothing_is_known_as_recorded_by_the_snapshot(sp) -> None:  # type: ignore[no-untyped-def]
    """Every session left was booked when the sweep recorded the expiry: it
    forfeited nothing, yet --as-of knows it was recorded (no "not yet
    recorded" note), and the booked sessions still hold their value."""
    from cli_util import ok

    sp = _sold_to_ana(sp, ("mas", "60", "60"), ("two", "--name", "two", "--service", "mas=2", "--price", "100",
                                                 "--expires", "9 days"))
    ok(sp("book", "ana", "mas", "2026-03-10T10:00"))
    ok(sp("book", "ana", "mas", "2026-03-11T10:00"))
    ok(sp("notify", "--quiet", now="2026-03-14T09:00"))
    [row] = _liability(sp, "2026-03-14T09:00", "--as-of", "2026-03-13")["rows"]
    assert (row["id"], row["held"], row["expires"], row["note"]) == ("ana.p1", "100.00", "2026-03-11", "")
    march = _liability(sp, "2026-03-14T09:00", "--from", "2026-03-01", "--to", "2026-03-31")
    assert _roll(march["totals"]) == ("0.00", "100.00", "0.00", "0.00", "0.00", "0.00", "100.00")


def test_the_agenda_shows_what_each_booking_draws_as_it_stands(example: Path) -> None:
    """A cancel in time gave diogo.b1's session back; carla.b1's late-cancel
    charge kept 42.50 of the 85.00 it drew (as usage says); bruno.b2's
    no-show forfeited its session."""
    result = run(example, "report", "bookings", "--from", "2026-01-19", "--to", "2026-01-21", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = {line.split(",")[3]: line.split(",")[9:] for line in result.stdout.splitlines()[1:]}
    assert rows == {"diogo.b1": ["", "0.00", "cancelled"], "carla.b1": ["42.50 credit", "0.00", "late-cancelled"],
                    "bruno.b2": ["1 session", "0.00", "no-show"]}
    usage = run(example, "report", "usage", "--from", "2026-01-20", "--to", "2026-01-20", "--format", "csv")
    assert usage.stdout.splitlines()[1].split(",")[7] == "42.50 credit"
