"""The surface of files of sales and clients: look-alike clients a file of
sales creates, line breaks in cells, a re-run's imported amounts, files
separated by ';', the wording of a row's problems, and the templates.

Each refusal is checked word for word with its exit code, and with a hash
of every file of the data directory before and after.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import Runner
from cli_util import dry_ok_json, ok, ok_json, write_package
from test_sell_csv import FIVE, WEEK, refused, write

EXAMPLE_NOW = "2026-03-02T09:00"


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    write_package(data_dir, "week", WEEK)
    ok(practice("client", "add", "bruno", "--name", "Bruno Costa"))
    ok(practice("client", "add", "carla", "--name", "Carla Mendes"))
    return practice


@pytest.fixture
def ex(example: Path) -> Runner:
    """data-example/, at the clock its documentation uses."""
    runner = Runner(example)
    return lambda *args, input=None: runner(*args, now=EXAMPLE_NOW, input=input)  # type: ignore[return-value]


# ---------------------------------------------------------------- look-alike clients (finding 5)

SAME_PERSON = "if so, write that client's id in the client column"


def test_a_file_of_sales_warns_of_the_look_alikes_it_creates(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = ("client,package,ref,name,email\n"
            "ana-l,five,w1,Ana Lima,\n"  # ana has that name
            "zed,five,w2,Zed Zulu,\n"
            "zed-2,five,w3,ZÉD zulu,\n"  # the new client of line 3 has that name (case and accents ignored)
            "bea,five,w4,Bea Reis,ana@example.com\n")  # ana has that email
    path = write(tmp_path, text)
    result = shop("sell", "--csv", path, "--create-clients", "--dry-run")
    assert result.exit_code == 0, result.stderr
    warnings = [f"warning: {path}:2: ana already has the name 'Ana Lima'; is ana-l the same person? ({SAME_PERSON})",
                f"warning: {path}:4: zed already has the name 'Zed Zulu'; is zed-2 the same person? ({SAME_PERSON})",
                f"warning: {path}:5: ana already has the email ana@example.com; is bea the same person? ({SAME_PERSON})"]
    assert result.stderr.splitlines() == [*warnings, "warning: dry run: nothing was recorded"]
    result = shop("sell", "--csv", path, "--create-clients")
    assert (result.exit_code, result.stderr.splitlines()) == (0, warnings)
    # Once they are recorded, running the file again warns of nothing: it creates no one.
    again = shop("sell", "--csv", path, "--create-clients")
    assert (again.exit_code, again.stderr) == (0, "")
    # The same rows as a file of clients get the same warnings, from the same code.
    clients = write(tmp_path, "id,name,email\nana-l2,Ana Lima,ana@example.com\n", "clients.csv")
    added = shop("client", "add", "--csv", clients)
    assert added.stderr.splitlines() == [f"warning: {clients}:2: {text}; is ana-l2 the same person? (--force adds without this warning)"
                                         for text in ("ana already has the name 'Ana Lima'", "ana-l already has the name 'Ana Lima'",
                                                      "bea already has the email ana@example.com")]


def test_a_file_of_sales_naming_recorded_clients_warns_of_nothing(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "client,package,ref,name,email\nana,five,w1,Ana Lima,ana@example.com\nnew,five,w2,New One,\n")
    result = shop("sell", "--csv", path, "--create-clients")
    assert (result.exit_code, result.stderr) == (0, "")


# ---------------------------------------------------------------- line breaks in a cell (finding 6)


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_a_line_break_in_a_cell_is_recorded_as_lf_whatever_the_file_s_line_ends(practice, tmp_path: Path, end: str) -> None:  # type: ignore[no-untyped-def]
    other = write(tmp_path, f'id,name,notes{end}zz,Zed Zulu,"line1{end}line2{end}line3"{end}', "other.csv")
    ok(practice("client", "add", "--csv", other))
    assert ok_json(practice("client", "show", "zz", "--format", "json"))["notes"] == "line1\nline2\nline3"
    assert ok(practice("client", "show", "zz")).splitlines()[2:5] == ["notes: line1", "       line2", "       line3"]
    lf = write(tmp_path, 'id,name,notes\nzz,Zed Zulu,"line1\nline2\nline3"\n', "lf.csv")
    rows = ok_json(practice("client", "add", "--csv", lf, "--format", "json"))
    assert [(row["id"], row["status"]) for row in rows] == [("zz", "unchanged")]


# ---------------------------------------------------------------- a re-run reads before it compares (finding 7)


@pytest.mark.parametrize("cell, message", [
    ("120.501", "remaining has more than 2 decimal places for EUR: 120.501"),
    ("120.499", "remaining has more than 2 decimal places for EUR: 120.499"),
    ("1.205E2", "remaining must be an amount like 90 or 90.50, not '1.205E2'"),
])
def test_a_re_run_refuses_an_amount_a_new_row_refuses(ex, example: Path, tmp_path: Path, cell: str, message: str) -> None:  # type: ignore[no-untyped-def]
    head = "client,package,ref,date,remaining\n"
    ok(ex("sell", "--csv", write(tmp_path, head + "ana,credit-300,k1,2026-01-05,120.50\n", "k1.csv")))
    for ref in ("k1", "k2"):  # recorded, and new: the same refusal
        path = write(tmp_path, head + f"ana,credit-300,{ref},2026-01-05,{cell}\n", f"{ref}.csv")
        refused(ex, example, ("sell", "--csv", path), 2, [
            f"{path}:2:remaining: {message}",
            f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])


def test_a_re_run_compares_amounts_as_read(ex, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = "client,package,ref,date,remaining,used_before,expires\n"
    first = write(tmp_path, head + "ana,credit-300,k1,2026-01-05,120.50,,\nbruno,physio-10,k2,2026-02-01,6,4,2026-05-01\n", "first.csv")
    ok(ex("sell", "--csv", first))
    same = write(tmp_path, head + "ana,credit-300,k1,2026-01-05, 120.5 ,,\nbruno,physio-10,k2,2026-02-01,6,4,2026-05-01\n", "same.csv")
    rows = ok_json(ex("sell", "--csv", same, "--format", "json"))
    assert [row["status"] for row in rows] == ["unchanged", "unchanged"]
    path = write(tmp_path, head + "ana,credit-300,k1,2026-01-05,120,,\n", "other.csv")
    refused(ex, example, ("sell", "--csv", path), 1, [
        f"{path}:2:ref: reference 'k1' is already recorded as ana.p2 with other details (remaining money 120.50, not 120.00); "
        "if this is another sale, give it its own reference",
        f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])
    path = write(tmp_path, head + "bruno,physio-10,k2,2026-02-01,6.0,4.5,2026-5-01\n", "bad.csv")
    refused(ex, example, ("sell", "--csv", path), 2, [
        f"{path}:2:remaining: remaining must be a whole number of sessions, not '6.0'",
        f"{path}:2:used_before: used_before must be a whole number of sessions, not '4.5'",
        f"{path}:2:expires: expires must be an ISO date like 2026-11-02, not '2026-5-01'",
        f"error: 3 problems in {path}; nothing was recorded: fix them and run the command again"])


# ---------------------------------------------------------------- columns separated by ';' (finding 8)


@pytest.mark.parametrize("args, header, mark", [
    (("sell", "--csv"), "client;package;ref\r\nana;five;e1\r\n", "';'"),
    (("client", "add", "--csv"), "id;name;email\r\nzed;Zed Zulu;\r\n", "';'"),
    (("sell", "--csv"), "client\tpackage\tref\nana\tfive\te1\n", "tabs"),
])
def test_columns_separated_by_semicolons_are_one_line(shop, data_dir: Path, tmp_path: Path, args: tuple[str, ...], header: str,  # type: ignore[no-untyped-def]
                                                      mark: str) -> None:
    path = write(tmp_path, header, "semi.csv")
    refused(shop, data_dir, (*args, path), 2, [
        f"{path}:1: has its columns separated by {mark}, not commas; save the file as CSV with commas between the "
        "columns (in a spreadsheet: CSV UTF-8 with ',' as the field delimiter)",
        f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"])


def test_a_semicolon_inside_a_cell_is_text(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, 'client,package,ref,note\nana,five,e1,"one; two"\n')
    assert ok_json(shop("sell", "--csv", path, "--format", "json"))[0]["status"] == "created"


# ---------------------------------------------------------------- a row's words (finding 9)


def test_a_row_s_problems_name_its_columns_and_the_file_s_way(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "relate", "bruno", "carla", "--as", "other", "--can", "use-packages"))
    path = write(tmp_path, "client,package,ref,share\ncarla,five,s4,bruno bruno\ncarla,five,s5,carla\nana,week,s6,\n")
    lines = [f"{path}:2:share: the share column names the same client twice; write the ids of linked clients, separated by spaces",
             f"{path}:3:share: carla owns the package; the share column names other clients",
             f"{path}:4:package: package 'week' is not for sale; put its row in a file for 'sessionpack assign --csv FILE', "
             "which takes the same columns",
             f"error: 3 problems in {path}; nothing was recorded: fix them and run the command again"]
    refused(shop, data_dir, ("sell", "--csv", path), 2, lines)
    refused(shop, data_dir, ("assign", "--csv", path), 2, [*lines[:2], lines[3].replace("3 problems", "2 problems")])
    # The command line keeps its own words.
    refused(shop, data_dir, ("sell", "carla", "five", "--share", "bruno", "--share", "bruno"), 2,
            ["error: --share names the same client twice"])
    refused(shop, data_dir, ("sell", "ana", "week"), 1,
            ["error: package 'week' is not for sale; assign it with 'sessionpack assign ana week'"])


def test_the_sales_template_is_accepted_by_the_example_practice(ex, example: Path) -> None:  # type: ignore[no-untyped-def]
    for extra in ((), ("--create-clients",)):
        template = ok(ex("sell", "--csv-template", *extra))
        rows = dry_ok_json(ex("sell", "--csv", "-", *extra, "--dry-run", "--format", "json", input=template))
        assert [(row["client"], row["package"], row["status"]) for row in rows] == [
            ("ana", "massage-trio", "created"), ("bruno", "physio-10", "created"), ("carla", "credit-300", "created")]


def test_the_templates_hold_no_cell_a_spreadsheet_runs(sp) -> None:  # type: ignore[no-untyped-def]
    from sessionpack.cli.output import spreadsheet_safe

    ok(sp("init", "--name", "Studio Test", "--currency", "EUR", "--timezone", "Europe/Lisbon"))
    for args in (("sell", "--csv-template"), ("sell", "--csv-template", "--create-clients"), ("client", "add", "--csv-template")):
        for row in csv.reader(io.StringIO(ok(sp(*args)))):
            assert [spreadsheet_safe(cell) for cell in row] == row
    template = ok(sp("client", "add", "--csv-template"))
    rows = ok_json(sp("client", "add", "--csv", "-", "--format", "json", input=template))
    assert [(row["id"], row["status"]) for row in rows] == [("ana", "created"), ("bruno-costa", "created")]
    assert ok_json(sp("client", "show", "ana", "--format", "json"))["phone"] == "00351 912 345 678"


@pytest.mark.parametrize("args, option", [
    (("sell", "--csv-template", "--format", "json"), "--format"),
    (("sell", "--csv-template", "--csv", "sales.csv"), "--csv"),
    (("sell", "--csv-template", "--dry-run"), "--dry-run"),
    (("sell", "ana", "five", "--csv-template"), "CLIENT PACKAGE"),
    (("sell", "--csv-template", "--price", "10"), "--price"),
    (("sell", "--csv-template", "--hooks"), "--hooks"),
    (("assign", "--csv-template", "--format", "jsonl"), "--format"),
    (("client", "add", "--csv-template", "--format", "json"), "--format"),
    (("client", "add", "--csv-template", "--csv", "clients.csv"), "--csv"),
    (("client", "add", "zed", "--csv-template"), "ID"),
    (("client", "add", "--csv-template", "--name", "Zed"), "--name"),
])
def test_the_template_takes_no_other_option(shop, data_dir: Path, args: tuple[str, ...], option: str) -> None:  # type: ignore[no-untyped-def]
    example = "sessionpack client add --csv-template > clients.csv" if args[0] == "client" else f"sessionpack {args[0]} --csv-template > sales.csv"
    refused(shop, data_dir, args, 2, [f"error: --csv-template only prints the columns to fill in, as CSV; give it without {option}, "
                                      f"e.g. '{example}'"])


def test_the_template_with_its_own_options(shop) -> None:  # type: ignore[no-untyped-def]
    assert ok(shop("sell", "--csv-template", "--format", "table")) == ok(shop("sell", "--csv-template"))
    assert ok(shop("sell", "--csv-template", "--create-clients")).splitlines()[0].endswith(",name,email")
