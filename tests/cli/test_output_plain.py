"""``--format table`` when standard output is not a terminal: plain aligned
text in the same columns, no box drawing, no wrapping, no cutting, user text
as typed, and Rich not imported at all. On a terminal, it is fitted to the width."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from sessionpack.cli import output


def plain(head: list[str], body: list[list[str]], title: str | None = None) -> str:
    return "".join(line + "\n" for line in output.plain_table_lines(head, body, title))


def test_a_small_table_exactly() -> None:
    text = plain(["id", "name", "total"], [["ana", "Ana Lima", "5"], ["bo", "Bo", "12"]], title="Clients")
    assert text == (
        "Clients\n"
        "id   name      total\n"
        "ana  Ana Lima  5\n"
        "bo   Bo        12\n"
    )


def test_no_title_empty_cells_and_no_trailing_spaces() -> None:
    text = plain(["id", "email", "tags"], [["ana", "", ""], ["bo", "bo@example.com", "vip"]])
    assert text == (
        "id   email           tags\n"
        "ana\n"
        "bo   bo@example.com  vip\n"
    )


def test_wide_characters_keep_the_columns_aligned() -> None:
    text = plain(["name", "n"], [["山田", "1"], ["Zoë", "2"], ["1 × massage", "3"]])
    assert text == (
        "name         n\n"
        "山田         1\n"
        "Zoë          2\n"
        "1 × massage  3\n"
    )


def test_a_line_break_inside_a_cell_keeps_the_row_on_one_line() -> None:
    assert plain(["a", "b"], [["one\ntwo", "x"]]) == "a        b\none two  x\n"


def test_write_table_plain_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    output.write_table(["id", "late_cancel"], [{"id": "[bold]x[/bold]", "late_cancel": True}], title="Policies")
    assert out.getvalue() == "Policies\nid              late cancel\n[bold]x[/bold]  yes\n"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_write_table_is_fitted_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    out = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    output.reset_screen()
    output.write_table(["id", "name"], [{"id": "bold", "name": "[bold]x[/bold]"}], title="Clients")
    output.reset_screen()
    assert out.getvalue() == "Clients\nid    name\n────  ──────────────\nbold  [bold]x[/bold]\n"


def test_client_list_piped_prints_names_as_typed(practice) -> None:  # type: ignore[no-untyped-def]
    assert practice("client", "add", "bold", "--name", "[bold]x[/bold]", "--tag", "a,b").exit_code == 0
    assert practice("client", "add", "red", "--name", "[red]", "--email", "red@example.com").exit_code == 0
    result = practice("client", "list")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Clients\n"
        "id    name            email            tags\n"
        "ana   Ana Lima        ana@example.com\n"
        "bold  [bold]x[/bold]                   a, b\n"
        "red   [red]           red@example.com\n"
    )


def test_a_long_cell_is_not_wrapped_or_cut(practice) -> None:  # type: ignore[no-untyped-def]
    name = "Maria " + "x" * 194  # 200 characters, the longest name allowed
    assert practice("client", "add", "long", "--name", name).exit_code == 0
    lines = practice("client", "list").stdout.splitlines()
    assert len(lines) == 4
    assert lines[3] == f"long  {name}"
    assert lines[2].startswith("ana   Ana Lima" + " " * (len(name) - len("Ana Lima")) + "  ana@example.com")


def test_piped_table_does_not_import_rich(practice) -> None:  # type: ignore[no-untyped-def]
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['sessionpack'] + sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_module('sessionpack', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write('\\nRICH ' + str('rich' in sys.modules) + '\\n')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, "--data-dir", str(practice.data_dir), "service", "list"],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[:2] == ["Services (EUR)", "id       name          duration  price   tax  active  providers"]
    assert result.stderr.splitlines()[-1] == "RICH False"


def test_machine_formats_are_unchanged(practice) -> None:  # type: ignore[no-untyped-def]
    assert practice("service", "list", "--format", "tsv").stdout.splitlines()[0] == "id\tname\tduration\tprice\ttax\tactive\tproviders\tdescription\tcapacity\tdeleted"
    assert [row["id"] for row in json.loads(practice("service", "list", "--format", "json").stdout)] == ["massage", "thai"]


def test_csv_of_one_record_gives_nested_values_their_own_columns() -> None:
    from sessionpack.cli.output import flat_record

    record = {"id": "ana.p1", "remaining": {"massage": 4, "thai": 2}, "shared_with": ["leo", "mia"], "notes": {},
              "bookings": [{"id": "ana.b1", "draw": {"key": "massage", "amount": 1}}, {"id": "ana.b2", "draw": None}]}
    assert flat_record(record) == {
        "id": "ana.p1", "remaining.massage": 4, "remaining.thai": 2, "shared_with": "leo mia", "notes": "",
        "bookings.1.id": "ana.b1", "bookings.1.draw.key": "massage", "bookings.1.draw.amount": 1,
        "bookings.2.id": "ana.b2", "bookings.2.draw": None}


def test_book_csv_has_a_column_per_key_of_what_it_draws(practice) -> None:  # type: ignore[no-untyped-def]
    assert practice("package", "create", "five", "--name", "Five", "--service", "massage=5", "--price", "400").exit_code == 0
    assert practice("sell", "ana", "five").exit_code == 0
    lines = practice("book", "ana", "massage", "2026-12-01T10:00", "--format", "csv").stdout.splitlines()
    header, row = lines[0].split(","), lines[1].split(",")
    assert dict(zip(header, row))["draw.key"] == "massage" and dict(zip(header, row))["draw.amount"] == "1"
    assert "draw" not in header
