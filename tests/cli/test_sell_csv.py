"""sell --csv: every row checked first, all or nothing in one commit, safe to re-run (issue 12 items 1, 2, 5, 6).

Refusals are checked word for word with their exit code, and with a hash of
every file of the data directory before and after.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from cli_util import events, ok, ok_json, write_package, dry_ok, dry_ok_json

CODE = r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}"
FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400", "tax": "23"}}
TEN = {"name": "10 sessions", "expiry": "3 months from first use",
       "contents": {"pool": "count", "amount": 10, "services": ["massage"]}, "payment": {"price": "480"}}
WEEK = {"name": "Sauna week", "visibility": "not-for-sale", "expiry": "1 week", "contents": {"pool": "unlimited"}, "payment": {"price": "0"}}


def tree_hash(root: Path) -> str:
    """One hash of every file (path and bytes) under the data directory."""
    digest = hashlib.sha256()
    for here, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            path = Path(here) / name
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    write_package(data_dir, "ten", TEN)
    write_package(data_dir, "week", WEEK)
    ok(practice("client", "add", "bruno", "--name", "Bruno Costa"))
    return practice


def write(tmp_path: Path, text: str, name: str = "sales.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def refused(shop, data_dir: Path, args: tuple[str, ...], code: int, lines: list[str], input: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Exit ``code``, exactly ``lines`` on stderr, nothing on stdout, no file changed."""
    before = tree_hash(data_dir)
    result = shop(*args, input=input)
    assert (result.exit_code, result.stdout) == (code, ""), result.stderr
    assert result.stderr.splitlines() == lines
    assert tree_hash(data_dir) == before


SALES = "client,package,ref,price,paid,date,invoice,note\nana,five,shop-1,,,,,\nbruno,five,shop-2,300,100,2026-10-31,F-7,by phone\nana,ten,shop-3,,0,,,\n"


# ---------------------------------------------------------------- recording


def test_rows_are_recorded_in_one_commit(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = len(events(data_dir))
    rows = ok_json(shop("sell", "--csv", write(tmp_path, SALES), "--format", "json"))
    codes = [row.pop("code") for row in rows]
    assert all(re.fullmatch(CODE, code) for code in codes) and len(set(codes)) == 3
    assert rows == [
        {"line": 2, "ref": "shop-1", "status": "created", "client": "ana", "package": "five", "id": "ana.p1", "invoice": "000001", "new_client": False},
        {"line": 3, "ref": "shop-2", "status": "created", "client": "bruno", "package": "five", "id": "bruno.p1", "invoice": "F-7", "new_client": False},
        {"line": 4, "ref": "shop-3", "status": "created", "client": "ana", "package": "ten", "id": "ana.p2", "invoice": "000002", "new_client": False},  # F-7 takes no number
    ]
    new = events(data_dir)[before:]
    assert [e["type"] for e in new] == ["sold"] * 3
    assert len({e["seq"] for e in new}) == 3 and len({e["at"] for e in new}) == 1
    assert [e.get("more") for e in new] == [True, True, None]  # one command: all or nothing
    sale = new[1]
    assert sale["sale"] == {"date": "2026-10-31", "price": "300.00", "tax": "69.00", "total": "369.00", "invoice": "F-7",
                            "reference": "shop-2", "assigned": False, "note": "by phone",
                            "valuation": {"method": "count", "parts": {"massage": ["300.00", 5]}, "price": "300.00"}}
    assert (sale["paid"], new[2]["paid"]) == ("100.00", "0.00")
    assert ok(shop("balance", "bruno", "--format", "csv")).splitlines()[1] == "bruno,bruno.p1,five,5 massages,massage,5,0,0,0,0,0,0,0,0,5,2027-01-31,no,active,"
    # The codes shown once open their packages.
    assert ok_json(shop("balance", "--code", codes[0], "--format", "json"))["id"] == "ana.p1"
    assert ok(shop("check")) == "No problems found\n"
    # The next single sale goes on with the file's invoice numbers.
    assert ok_json(shop("sell", "ana", "five", "--format", "json"))["invoice"] == "000003"


def test_every_output_format_prints_one_row_per_line(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, SALES)
    ok(shop("sell", "--csv", path))
    rerun = {fmt: ok(shop("sell", "--csv", path, "--format", fmt)) for fmt in ("table", "json", "csv", "tsv", "jsonl")}
    assert rerun["table"] == (
        f"From {path}: 0 created, 3 unchanged\n"
        "line  ref     status     client  package  id        invoice  code\n"
        "2     shop-1  unchanged  ana     five     ana.p1    000001\n"
        "3     shop-2  unchanged  bruno   five     bruno.p1  F-7\n"
        "4     shop-3  unchanged  ana     ten      ana.p2    000002\n")
    assert rerun["csv"].splitlines() == ["line,ref,status,client,package,id,invoice,code", "2,shop-1,unchanged,ana,five,ana.p1,000001,",
                                         "3,shop-2,unchanged,bruno,five,bruno.p1,F-7,", "4,shop-3,unchanged,ana,ten,ana.p2,000002,"]
    assert rerun["tsv"].splitlines()[1] == "2\tshop-1\tunchanged\tana\tfive\tana.p1\t000001\t"
    jsonl = [json.loads(line) for line in rerun["jsonl"].splitlines()]
    assert jsonl == json.loads(rerun["json"]) and len(jsonl) == 3
    assert jsonl[0] == {"line": 2, "ref": "shop-1", "status": "unchanged", "client": "ana", "package": "five", "id": "ana.p1",
                        "invoice": "000001", "code": None, "new_client": False}


def test_standard_input_and_assign(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    text = "client,package,ref\nana,week,gift-1\n"
    refused(shop, data_dir, ("sell", "--csv", "-"), 1, [
        "<stdin>:2:package: package 'week' is not for sale; put its row in a file for 'sessionpack assign --csv FILE', which takes the same columns",
        "error: 1 problem in <stdin>; nothing was recorded: fix it and run the command again"], input=text)
    [row] = ok_json(shop("assign", "--csv", "-", "--format", "json", input=text))
    assert (row["id"], row["status"]) == ("ana.p1", "created")
    [sold] = [e for e in events(data_dir) if e["type"] == "sold"]
    assert sold["sale"]["assigned"] is True


def test_a_header_alone_records_nothing(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = tree_hash(data_dir)
    path = write(tmp_path, "client,package,ref\n")
    assert ok(shop("sell", "--csv", path)) == f"No rows in {path}: nothing to do\n"
    assert ok(shop("sell", "--csv", path, "--format", "json")) == "[]\n"
    assert tree_hash(data_dir) == before


# ---------------------------------------------------------------- all or nothing


def test_a_bad_last_row_records_nothing(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, SALES + "bruno,five,shop-4,12.345,,,,\n")
    refused(shop, data_dir, ("sell", "--csv", path), 2, [
        f"{path}:5:price: price has more than 2 decimal places for EUR: 12.345; write the net price with a '.' for decimals, "
        "e.g. 90.50, or leave it empty for the package's price",
        f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])


def test_every_problem_is_listed_with_line_and_column(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, (
        "client,package,ref,price,paid,date,share\n"
        "ana,five,r1,,,,\n"
        "zed,nope,,abc,,,\n"
        "ana,five,r1,,500,2026-11-21,\n"
        "ana,ten,r4,,,2026/01/01,bruno\n"
        "Ana,five,r5,,,,\n"
    ))
    refused(shop, data_dir, ("sell", "--csv", path), 2, [
        f"{path}:3:client: no client 'zed'; see 'sessionpack client list' or add one with 'sessionpack client add', or run with --create-clients and a name column",
        f"{path}:3:package: no package 'nope'; see 'sessionpack package list --all'",
        f"{path}:3:ref: the reference is empty; give each row its own reference (e.g. the other system's sale number), so the file can be run again without selling twice",
        f"{path}:3:price: price must be an amount like 90 or 90.50, not 'abc'",
        f"{path}:4:ref: reference 'r1' is also on line 2; give each sale its own reference",
        f"{path}:4:date: date 2026-11-21 is in the future; a sale can be back-dated, not post-dated",
        f"{path}:5:date: date must be an ISO date like 2026-11-02, not '2026/01/01'",
        f"{path}:6:client: client id 'Ana' is not valid: use lower-case letters, digits and single hyphens (at most 64 characters), e.g. 'ana-lima'; write the id of a recorded client (see 'sessionpack client list')",
        f"error: 8 problems in {path}; nothing was recorded: fix them and run the command again"])


def test_rows_sharing_a_date_each_get_it_and_each_bad_one_is_listed(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A file's rows share a few dates, read once each: every row still gets
    its own date, and a bad date is listed on every row that has it."""
    rows = "".join(f"ana,five,d{n},{day}\n" for n, day in enumerate(["2026-10-01", "", "2026-10-01", "2026-11-19", "", "2026-10-01"]))
    path = write(tmp_path, "client,package,ref,date\n" + rows)
    ok(shop("sell", "--csv", path))
    dates = {e["sale"]["reference"]: e["sale"]["date"] for e in events(data_dir) if e["type"] == "sold"}
    assert dates == {"d0": "2026-10-01", "d1": "2026-11-20", "d2": "2026-10-01", "d3": "2026-11-19", "d4": "2026-11-20",
                     "d5": "2026-10-01"}  # an empty date is the practice's today
    bad = write(tmp_path, "client,package,ref,date\nana,five,e1,2026-12-01\nana,five,e2,2026-10-01\nana,five,e3,2026-12-01\n", "bad.csv")
    refused(shop, data_dir, ("sell", "--csv", bad), 2, [
        f"{bad}:2:date: date 2026-12-01 is in the future; a sale can be back-dated, not post-dated",
        f"{bad}:4:date: date 2026-12-01 is in the future; a sale can be back-dated, not post-dated",
        f"error: 2 problems in {bad}; nothing was recorded: fix them and run the command again"])


def test_rules_of_a_sale_apply_to_each_row(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "client,package,ref,paid,share\nana,five,r1,500,\nana,week,r2,,\nana,ten,r3,,bruno\n")
    refused(shop, data_dir, ("sell", "--csv", path), 2, [
        f"{path}:2:paid: paid 500.00 is more than the sale's total 492.00 EUR; write the amount paid with a '.' for decimals "
        "(0 if nothing yet), or leave it empty when all was paid",
        f"{path}:3:package: package 'week' is not for sale; put its row in a file for 'sessionpack assign --csv FILE', which takes the same columns",
        f"{path}:4:share: bruno is not linked to ana with permission to use ana's packages; run 'sessionpack client relate "
        "bruno ana --as other --can use-packages' first (any --as label fits)",
        f"error: 3 problems in {path}; nothing was recorded: fix them and run the command again"])


# ---------------------------------------------------------------- safe to re-run


def test_a_rerun_is_all_unchanged_and_records_nothing(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, SALES)
    first = ok_json(shop("sell", "--csv", path, "--format", "json"))
    before = tree_hash(data_dir)
    # Another day: the rows without a date still match (a default is not compared).
    again = ok_json(shop("sell", "--csv", path, "--format", "json", now="2026-12-24T10:00"))
    assert [(r["status"], r["id"], r["code"]) for r in again] == [("unchanged", r["id"], None) for r in first]
    assert tree_hash(data_dir) == before
    # A file with the old rows and one new: only the new one is recorded.
    more = write(tmp_path, SALES + "bruno,ten,shop-9,,,,,\n", "more.csv")
    rows = ok_json(shop("sell", "--csv", more, "--format", "json"))
    assert [r["status"] for r in rows] == ["unchanged"] * 3 + ["created"]
    assert rows[3]["id"] == "bruno.p2"


def test_a_conflicting_rerun_is_refused(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "--csv", write(tmp_path, SALES)))
    changed = write(tmp_path, SALES.replace("bruno,five,shop-2,300", "bruno,five,shop-2,250").replace("ana,ten,shop-3", "bruno,ten,shop-3"), "changed.csv")
    refused(shop, data_dir, ("sell", "--csv", changed), 1, [
        f"{changed}:3:ref: reference 'shop-2' is already recorded as bruno.p1 with other details (price 300.00, not 250.00); "
        "if this is another sale, give it its own reference",
        f"{changed}:4:ref: reference 'shop-3' is already recorded as ana.p2 with other details (client ana, not bruno); "
        "if this is another sale, give it its own reference",
        f"error: 2 problems in {changed}; nothing was recorded: fix them and run the command again"])


def test_single_sell_ref_is_checked_across_clients(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five", "--ref", "shop-1042"))
    before = tree_hash(data_dir)
    result = shop("sell", "bruno", "five", "--ref", "shop-1042")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", (
        "error: reference 'shop-1042' is already recorded as ana.p1 with other details (client ana, not bruno); "
        "if this is another sale, give it its own reference\n"))
    result = shop("sell", "ana", "ten", "--ref", "shop-1042")
    assert (result.exit_code, result.stderr) == (1, (
        "error: reference 'shop-1042' is already recorded as ana.p1 with other details (package five, not ten); "
        "if this is another sale, give it its own reference\n"))
    assert tree_hash(data_dir) == before
    assert ok(shop("sell", "ana", "five", "--ref", "shop-1042", "--price", "400")) == "Unchanged: reference 'shop-1042' is already recorded as ana.p1\n"
    # A file sees the same index: the row is the sale recorded by the single command.
    [row] = ok_json(shop("sell", "--csv", write(tmp_path, "client,package,ref\nana,five,shop-1042\n"), "--format", "json"))
    assert (row["status"], row["id"]) == ("unchanged", "ana.p1")
    assert tree_hash(data_dir) == before


# ---------------------------------------------------------------- the file itself


def test_bom_crlf_and_quoted_fields(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = 'Client , PACKAGE,ref,note\r\nana,five,"shop,1","a note, with a comma"\r\n"bruno","five","shop ""2""","two\r\nlines"\r\n'
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    refused(shop, data_dir, ("sell", "--csv", str(path)), 2, [
        f"{path}:3:note: note must be one line of printable text (it holds the control character \\x0a); type it again without it",
        f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("two\r\nlines", "two lines").encode("utf-8") + b"\r\n,,,\r\nana,five,shop-3,\r\n")
    rows = ok_json(shop("sell", "--csv", str(path), "--format", "json"))
    assert [(r["line"], r["ref"], r["client"]) for r in rows] == [(2, "shop,1", "ana"), (3, 'shop "2"', "bruno"), (6, "shop-3", "ana")]
    sold = [e for e in events(data_dir) if e["type"] == "sold"]
    assert [e["sale"].get("note") for e in sold] == ["a note, with a comma", "two lines", None]


def test_line_numbers_count_the_lines_a_quoted_cell_spans(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, 'client,package,ref,note\nana,five,r1,"one\ntwo"\nana,five,r2,x\nana,five,r3,\nana,nope,r4,\n')
    refused(shop, data_dir, ("sell", "--csv", path), 2, [
        f"{path}:2:note: note must be one line of printable text (it holds the control character \\x0a); type it again without it",
        f"{path}:6:package: no package 'nope'; see 'sessionpack package list --all'",
        f"error: 2 problems in {path}; nothing was recorded: fix them and run the command again"])


def test_a_bad_encoding_is_reported_with_its_line(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin1.csv"
    path.write_bytes("client,package,ref,note\nana,five,r1,ok\nana,five,r2,Jos\u00e9\nana,five,r3,ok\n".encode("latin-1"))
    refused(shop, data_dir, ("sell", "--csv", str(path)), 2, [
        f"{path}:3:note: holds the byte 0xE9, which is not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in a spreadsheet)",
        f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):  # with its mark, and without (then its zero bytes tell)
        path.write_bytes("client,package,ref\r\nana,five,r1\r\n".encode(encoding))
        refused(shop, data_dir, ("sell", "--csv", str(path)), 2, [
            f"{path}:1: is UTF-16 text; save it as UTF-8 (CSV UTF-8 in a spreadsheet)",
            f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])


@pytest.mark.parametrize("text, lines", [
    ("client,package,ref,colour,Price,price\nana,five,r1,red,1,1\n", [
        "1:colour: is not a known column; the columns are: client, package, ref, price, paid, date, share, invoice, note, "
        "remaining (or remaining.KEY), used_before (or used_before.KEY), expires, activated",
        "1:price: is named twice; keep one column of each name"]),
    ("client,package\nana,five\n", ["1: has no ref column; the first line must name at least client, package, ref"]),
    ("client,package,ref,name\nana,five,r1,Ana\n", [
        "1:name: is read only with --create-clients (it names the clients to create); add the option, or remove the column"]),
    ("client,,ref,package\n", ["1: column 2 has no name; name it (client, package, ref, price, paid, date, share, invoice, note, "
                               "remaining (or remaining.KEY), used_before (or used_before.KEY), expires, activated) or remove it"]),
    ("", ["1: is empty; the first line names the columns, e.g. client, package, ref, price, paid, date, share, invoice, note, "
          "remaining (or remaining.KEY), used_before (or used_before.KEY), expires, activated"]),
    ('client,package,ref\nana,five,"r1\n', ['2: cannot be read as CSV (unexpected end of data); check the quotes on this row '
                                            '(a quote inside a quoted cell is written twice: "")']),
    ("client,package,ref,\x1b[31mred\x07\nana,five,r1,x\n", [  # a column's name is shown, never obeyed
        "1:\\x1b[31mred\\x07: is not a known column; the columns are: client, package, ref, price, paid, date, share, invoice, "
        "note, remaining (or remaining.KEY), used_before (or used_before.KEY), expires, activated"]),
    ("client,package,ref\nana,five,r1,extra\n", ["2: has 4 cells but the header names 3 columns; put a value that holds a comma in double quotes"]),
    ("client,package,ref\nana,five,r1\nana,five,r2,x\n" + "x" * 10, ["3: has 4 cells but the header names 3 columns; put a value that holds a comma in double quotes"]),
])
def test_a_malformed_file_is_refused(shop, data_dir: Path, tmp_path: Path, text: str, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, text)
    count = len(lines)
    refused(shop, data_dir, ("sell", "--csv", path), 2, [f"{path}:{line}" for line in lines] + [
        f"error: {count} problem{'s' if count > 1 else ''} in {path}; nothing was recorded: fix {'them' if count > 1 else 'it'} and run the command again"])


def test_a_huge_cell_is_refused(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "client,package,ref,note\nana,five,r1," + "x" * 200_000 + "\n")
    refused(shop, data_dir, ("sell", "--csv", path), 2, [
        f"{path}:2: cannot be read as CSV (a cell is longer than 100,000 characters); check the quotes on this row "
        '(a quote inside a quoted cell is written twice: "")',
        f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])
    path = write(tmp_path, "client,package,ref,note\nana,five,r1," + "x" * 600 + "\n")
    refused(shop, data_dir, ("sell", "--csv", path), 2, [
        f"{path}:2:note: note must be one line of at most 500 characters",
        f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])


def test_options_of_one_sale_are_columns_with_csv(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, SALES)
    for args, message in (
        (("sell", "ana", "five", "--csv", path), "with --csv FILE the clients and packages are columns of the file; give no CLIENT PACKAGE"),
        (("sell", "--csv", path, "--price", "10"), "--price goes with one sale; with --csv put it in the price column of the file"),
        (("sell", "--csv", path, "--ref", "x"), "--ref goes with one sale; with --csv put it in the ref column of the file"),
        (("sell", "ana", "five", "--create-clients"), "--create-clients goes with --csv FILE"),
        (("sell", "--csv", str(tmp_path / "missing.csv")), f"{tmp_path / 'missing.csv'}: no such file; check the path"),
        (("sell",), "give CLIENT and PACKAGE, or --csv FILE; see 'sessionpack sell --help'"),
    ):
        refused(shop, data_dir, args, 2, [f"error: {message}"])


def test_csv_template_is_a_file_sell_reads(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    template = ok(shop("sell", "--csv-template"))
    header = next(csv.reader(io.StringIO(template)))
    assert header == ["client", "package", "ref", "price", "paid", "date", "share", "invoice", "note",
                      "remaining", "used_before", "expires", "activated"]
    with_clients = ok(shop("sell", "--csv-template", "--create-clients"))
    assert next(csv.reader(io.StringIO(with_clients)))[-2:] == ["name", "email"]
    # The template's first row, with this practice's package, is a valid sale.
    path = write(tmp_path, template.splitlines()[0] + "\n" + "ana,five,shop-1042,,,,,,,,,,\n")
    assert ok_json(shop("sell", "--csv", path, "--format", "json"))[0]["id"] == "ana.p1"


# ---------------------------------------------------------------- dry run


def test_dry_run_prints_the_rows_of_the_real_run_and_writes_nothing(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, SALES)
    ok(shop("sell", "--csv", write(tmp_path, "client,package,ref\nana,five,shop-1\n", "first.csv")))
    before = tree_hash(data_dir)
    for fmt in ("csv", "json", "jsonl", "tsv"):
        dry = dry_ok(shop("sell", "--csv", path, "--dry-run", "--format", fmt))
        assert tree_hash(data_dir) == before
        assert dry == dry_ok(shop("sell", "--csv", path, "--dry-run", "--format", fmt))
    dry_rows = dry_ok_json(shop("sell", "--csv", path, "--dry-run", "--format", "json"))
    real_rows = ok_json(shop("sell", "--csv", path, "--format", "json"))
    assert all(re.fullmatch(CODE, r.pop("code")) for r in real_rows if r["status"] == "created")
    for r in real_rows:
        r.pop("code", None)
    assert [dict(r, code=None) for r in real_rows] == dry_rows
    assert [r["status"] for r in dry_rows] == ["unchanged", "created", "created"]
    table = dry_ok(shop("sell", "--csv", path, "--dry-run"))
    assert table.splitlines()[0] == f"From {path}: 0 created, 3 unchanged (dry run: nothing was recorded)"


def test_dry_run_refuses_as_the_real_run_does(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "client,package,ref\nzed,five,r1\n")
    refused(shop, data_dir, ("sell", "--csv", path, "--dry-run"), 2, [
        f"{path}:2:client: no client 'zed'; see 'sessionpack client list' or add one with 'sessionpack client add', or run with --create-clients and a name column",
        f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])


def test_single_sell_dry_run(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    before = tree_hash(data_dir)
    assert dry_ok(shop("sell", "ana", "five", "--dry-run")) == (
        "Sold five to ana: ana.p1 (invoice 000001, total 492.00 EUR, paid; expires: 2027-02-20)\n"
        "Dry run: nothing was recorded (the access code is made when the sale is)\n")
    assert tree_hash(data_dir) == before
    record = dry_ok_json(shop("sell", "ana", "five", "--dry-run", "--format", "json"))
    real = ok_json(shop("sell", "ana", "five", "--format", "json"))
    assert record == dict(real, code=None)


# ---------------------------------------------------------------- clients created, hooks


def test_create_clients(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "client,package,ref,name,email\ncarla,five,r1,Carla Mendes,carla@example.com\n"
                           "carla,ten,r2,,\nana,five,r3,Ana Lima,\ndiogo,five,r4,Diogo,\n")
    rows = ok_json(shop("sell", "--csv", path, "--create-clients", "--format", "json"))
    assert [(r["client"], r["id"], r["new_client"]) for r in rows] == [
        ("carla", "carla.p1", True), ("carla", "carla.p2", True), ("ana", "ana.p1", False), ("diogo", "diogo.p1", True)]
    types = [e["type"] for e in events(data_dir)][-6:]
    assert types == ["client-added", "client-added", "sold", "sold", "sold", "sold"]
    assert ok_json(shop("client", "show", "carla", "--format", "json"))["email"] == "carla@example.com"
    assert ok(shop("sell", "--csv", path, "--create-clients")).splitlines()[0] == f"From {path}: 0 created, 4 unchanged"
    bad = write(tmp_path, "client,package,ref,name,email\nana,five,r9,Ana Souza,\neva,five,r10,,\nfil,five,r11,Fil,\nfil,ten,r12,Filipe,\n"
                          "eva,ten,r13,,\n", "bad.csv")
    refused(shop, data_dir, ("sell", "--csv", bad, "--create-clients"), 2, [
        f"{bad}:2:client: client 'ana' already exists with other details (name 'Ana Lima', not 'Ana Souza'); change it with 'sessionpack client edit ana'",
        f"{bad}:3:name: client 'eva' is not recorded; give its name to create it",
        f"{bad}:5:name: client 'fil' has name 'Fil' on line 4; give one name for each client",
        f"error: 3 problems in {bad}; nothing was recorded: fix them and run the command again"])


def test_a_file_runs_no_hooks_unless_asked(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "hook.log"
    hook = data_dir / "hooks" / "sold"
    hook.write_text(f"#!/bin/sh\ncat >> {log}\necho >> {log}\n")
    hook.chmod(0o755)
    ok(shop("sell", "--csv", write(tmp_path, "client,package,ref\nana,five,r1\n")))
    assert not log.exists()
    ok(shop("sell", "--csv", write(tmp_path, "client,package,ref\nana,five,r2\nbruno,five,r3\n", "b.csv"), "--hooks"))
    assert [json.loads(line)["client_package"] for line in log.read_text().splitlines() if line] == ["ana.p2", "bruno.p1"]
    ok(shop("sell", "ana", "five"))  # a single sale runs its hook, as always
    assert len([line for line in log.read_text().splitlines() if line]) == 3


def test_a_rerun_reads_an_unlimited_cell_as_a_new_row_does(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # What was left of an unlimited balance is 'unlimited' or empty. A re-run
    # with 'Unlimited' was a conflict (exit 1), where a new row is refused
    # for its cell (exit 2).
    ok(shop("assign", "--csv", write(tmp_path, "client,package,ref,remaining,date\nana,week,w-1,unlimited,2026-11-18\n")))
    assert [r["status"] for r in ok_json(shop("assign", "--csv", write(tmp_path, "client,package,ref,remaining,date\n"
                                                                      "ana,week,w-1, unlimited ,2026-11-18\n", "same.csv"),
                                              "--format", "json"))] == ["unchanged"]
    for ref, name in (("w-1", "again.csv"), ("w-2", "new.csv")):
        path = write(tmp_path, f"client,package,ref,remaining,date\nana,week,{ref},Unlimited,2026-11-18\n", name)
        refused(shop, data_dir, ("assign", "--csv", path), 2, [
            f"{path}:2:remaining: unlimited of package 'week' is unlimited: write 'unlimited' or leave it empty, not 'Unlimited'",
            f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])
