"""What a script reads: the same keys and columns in every format and for
every row, money with the currency's decimals, null for a missing value,
clear errors for the wrong kind of id, and piped text without trailing
spaces."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli_util import ok, ok_json
from conftest import Runner
from tree import tree_hash

SERVICE_KEYS = ["id", "name", "duration", "price", "tax", "active", "providers", "description", "capacity", "deleted"]


@pytest.fixture
def shop(practice: Runner) -> Runner:
    ok(practice("service", "edit", "thai", "--description", "Hot stones"))
    return practice


def test_service_description_is_always_there_at_one_place(shop: Runner) -> None:
    massage = ok_json(shop("service", "show", "massage", "--format", "json"))
    thai = ok_json(shop("service", "show", "thai", "--format", "json"))
    assert list(massage) == list(thai) == SERVICE_KEYS
    assert (massage["description"], thai["description"]) == (None, "Hot stones")
    header = ",".join(SERVICE_KEYS) + "\n"
    assert ok(shop("service", "show", "massage", "--format", "csv")) == header + "massage,Massage 60,60,90.00,0,yes,,,1,no\n"
    assert ok(shop("service", "show", "thai", "--format", "csv")) == header + "thai,Thai massage,90,120.00,23,yes,,Hot stones,1,no\n"
    assert ok(shop("service", "list", "--format", "csv")) == (header + "massage,Massage 60,60,90.00,0,yes,,,1,no\n"
                                                              "thai,Thai massage,90,120.00,23,yes,,Hot stones,1,no\n")
    lines = ok(shop("service", "list", "--format", "jsonl")).splitlines()
    assert [list(json.loads(line)) for line in lines] == [SERVICE_KEYS, SERVICE_KEYS]
    assert list(ok_json(shop("service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "15",
                             "--format", "json"))) == SERVICE_KEYS
    assert ok(shop("service", "edit", "yoga", "--price", "18", "--format", "tsv")).splitlines()[0].split("\t") == SERVICE_KEYS


def test_service_list_table_shows_the_description_only_with_wide(shop: Runner) -> None:
    assert "description" not in ok(shop("service", "list"))
    assert ok(shop("service", "list", "--wide")) == (
        "Services (EUR)\n"
        "id       name          duration  price   tax  active  providers  description\n"
        "massage  Massage 60    60        90.00   0    yes\n"
        "thai     Thai massage  90        120.00  23   yes                Hot stones\n"
    )


def test_a_piped_record_has_no_trailing_spaces(shop: Runner) -> None:
    assert ok(shop("service", "show", "massage")) == (
        "id           massage\n"
        "name         Massage 60\n"
        "duration     60\n"
        "price        90.00\n"
        "tax          0\n"
        "active       yes\n"
        "providers\n"
        "description\n"
        "capacity     1\n"
        "deleted      no\n"
    )


SALES_COLUMNS = ["date", "invoice", "client", "id", "package", "price", "tax", "total", "paid", "refunded", "due", "payment",
                 "status", "kind"]
FEB_12 = ("report", "sales", "--from", "2026-02-12", "--to", "2026-02-12")


@pytest.fixture
def shop_example(example: Path) -> Runner:
    return Runner(example)


def test_report_sales_has_the_same_columns_in_every_format(shop_example: Runner) -> None:
    rows = [json.loads(line) for line in ok(shop_example(*FEB_12, "--format", "jsonl")).splitlines()]
    assert [list(row) for row in rows] == [SALES_COLUMNS, SALES_COLUMNS]
    assert [list(row) for row in ok_json(shop_example(*FEB_12, "--format", "json"))["rows"]] == [SALES_COLUMNS, SALES_COLUMNS]
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        table = list(csv.reader(io.StringIO(ok(shop_example(*FEB_12, "--format", fmt))), delimiter=delimiter))
        assert table[0] == SALES_COLUMNS
        assert table[2] == ["2026-02-12", "000007", "bruno", "bruno.p2", "massage-hours", "260.00", "59.80", "319.80", "319.80",
                            "127.92", "0.00", "partly refunded", "refunded", "sold"]
    assert ok(shop_example(*FEB_12, "--wide")).splitlines()[1].split() == SALES_COLUMNS
    assert ok(shop_example(*FEB_12, "--wide")).splitlines()[-1].split() == [
        "total", "740.00", "59.80", "799.80", "519.80", "127.92", "280.00"]
    assert "refunded" not in ok(shop_example(*FEB_12)).splitlines()[1]


def test_money_of_a_per_session_sale_has_the_currency_decimals(shop_example: Runner) -> None:
    """diogo.p1 was recorded with "0" (the journal keeps it): every output shows "0.00"."""
    [diogo] = [p for p in ok_json(shop_example("balance", "diogo", "--format", "json")) if p["id"] == "diogo.p1"]
    assert (diogo["total"], diogo["paid"], diogo["refunded"]) == ("0.00", "0.00", "0.00")
    [package] = ok_json(shop_example("statement", "diogo", "--format", "json"))["packages"]
    assert (package["total"], package["paid"], package["due"]) == ("0.00", "0.00", "0.00")
    assert "sold 2026-01-10 · invoice 000004 · 0.00 EUR · paid per session\n" in ok(shop_example("statement", "diogo"))
    assert "sold morning-massage as diogo.p1 for 0.00 (invoice 000004, paid 0.00)" in ok(shop_example("log", "--limit", "200"))
    result = shop_example("sell", "eva", "morning-massage", "--dry-run", "--format", "json")
    assert result.exit_code == 0
    sale = json.loads(result.stdout)
    assert (sale["total"], sale["paid"], sale["code"]) == ("0.00", "0.00", None)
    cancelled = ok_json(shop_example("cancel", "diogo.p1", "--reason", "x", "--yes", "--format", "json"))
    assert (cancelled["paid"], cancelled["refunded"], cancelled["net"]) == ("0.00", "0.00", "0.00")


def test_a_new_per_session_sale_is_recorded_with_the_decimals_and_its_ref_runs_again(shop_example: Runner) -> None:
    sale = ok_json(shop_example("sell", "eva", "morning-massage", "--ref", "z1", "--price", "0", "--format", "json"))
    assert (sale["total"], sale["paid"]) == ("0.00", "0.00")
    journal = (shop_example.data_dir / "journal.jsonl").read_text().splitlines()
    recorded = json.loads(journal[-1])
    assert (recorded["sale"]["price"], recorded["sale"]["total"], recorded["paid"]) == ("0.00", "0.00", "0.00")
    again = ok_json(shop_example("sell", "eva", "morning-massage", "--ref", "z1", "--price", "0", "--format", "json"))
    assert (again["unchanged"], again["id"], again["code"]) == (True, sale["id"], None)


def test_no_code_is_null_in_json_from_every_front_end(shop_example: Runner) -> None:
    assert ok_json(shop_example("sell", "ana", "credit-300", "--ref", "q1", "--format", "json"))["code"]
    assert ok_json(shop_example("sell", "ana", "credit-300", "--ref", "q1", "--format", "json"))["code"] is None
    [row] = ok_json(shop_example("sell", "--csv", "-", "--format", "json", input="client,package,ref\nana,credit-300,q1\n"))
    assert (row["status"], row["code"]) == ("unchanged", None)
    dry = shop_example("sell", "--csv", "-", "--dry-run", "--format", "jsonl", input="client,package,ref\nana,credit-300,q2\n")
    assert json.loads(dry.stdout)["code"] is None
    dry = shop_example("sell", "--csv", "-", "--dry-run", "--format", "csv", input="client,package,ref\nana,credit-300,q2\n")
    assert dry.stdout.splitlines()[1].endswith(",000009,")  # CSV: an empty cell


@pytest.mark.parametrize("args,message", [
    (("balance", "ana.p1"), "ana.p1 is a client package, not a client; give a client id such as 'ana', "
                            "or use 'sessionpack history ana.p1'"),
    (("statement", "ana.p1"), "ana.p1 is a client package, not a client; give a client id such as 'ana', "
                              "or use 'sessionpack history ana.p1'"),
    (("client", "show", "ana.p1"), "ana.p1 is a client package, not a client; give a client id such as 'ana', "
                                   "or use 'sessionpack history ana.p1'"),
    (("history", "ana.b1"), "ana.b1 is a booking, not a client; give a client id such as 'ana' "
                            "(the booking is in 'sessionpack history ana')"),
    (("balance", "Ana"), "client id 'Ana' is not valid: use lower-case letters, digits and single hyphens "
                         "(at most 64 characters), e.g. 'ana-lima'"),
    (("balance", "an\udce9"), "client id is not UTF-8 text (it holds the byte \\xe9); type it again in UTF-8"),
])
def test_the_wrong_kind_of_id_says_what_to_give(shop_example: Runner, args: tuple[str, ...], message: str) -> None:
    before = tree_hash(shop_example.data_dir)
    result = shop_example(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")
    assert tree_hash(shop_example.data_dir) == before


def test_the_wrong_kind_of_id_on_the_quick_path(example: Path) -> None:
    """The hot commands' own path (a real process) gives the same line."""
    command = [sys.executable, "-m", "sessionpack", "--data-dir", str(example), "--now", "2026-03-02T09:00"]
    for args, message in ((["balance", "ana.p1"], "error: ana.p1 is a client package, not a client; give a client id "
                                                  "such as 'ana', or use 'sessionpack history ana.p1'\n"),
                          ([b"balance", b"an\xe9"], "error: client id is not UTF-8 text (it holds the byte \\xe9); "
                                                    "type it again in UTF-8\n")):
        argv = [a.encode() for a in command] + [a if isinstance(a, bytes) else a.encode() for a in args]
        done = subprocess.run(argv, capture_output=True)
        assert (done.returncode, done.stdout, done.stderr.decode()) == (2, b"", message)
