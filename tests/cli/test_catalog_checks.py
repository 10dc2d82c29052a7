"""What the catalog and settings files may say, and what `check` finds in them.

On a copy of data-example/ (sold: massage-trio, physio-10 twice,
physio-joao-winter, valid only through 2026-03-20, ...): each refusal is
checked word for word, with its exit code, and for writing nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import Runner

from cli_util import ok, refused

NOW = "2026-03-02T09:00"
LATE = "2026-03-25T09:00"  # after physio-joao-winter's fixed date


@pytest.fixture
def ex(example: Path) -> Runner:
    return Runner(example)


def check_problems(ex: Runner) -> list[str]:
    result = ex("check", "--format", "json", now=NOW)
    assert (result.exit_code, result.stderr) == (3, f"error: {len(json.loads(result.stdout))} problem(s) found in {ex.data_dir}\n")
    return [row["problem"] for row in json.loads(result.stdout)]


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_error(result, code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"error: {message}\n")


# ---------------------------------------------------------------- a fixed date that has passed


PASSED = ("package 'physio-joao-winter' is valid only through 2026-03-20, before the sale date {day}: it would be "
          "expired from the start; {fix}")
EDIT_IT = ("give it a later date with 'sessionpack package edit physio-joao-winter --expires \"on YYYY-MM-DD\"', "
           "or sell another package")


def test_a_package_past_its_fixed_date_is_not_sold_or_assigned(ex: Runner) -> None:
    for command in ("sell", "assign"):
        refused(ex, ex.data_dir, (command, "ana", "physio-joao-winter"), 1,
                PASSED.format(day="2026-03-25", fix=EDIT_IT), now=LATE)
    # a sale dated back to the last valid day is what happened then
    assert ok(ex("sell", "ana", "physio-joao-winter", "--date", "2026-03-20", now=LATE)).startswith(
        "Sold physio-joao-winter to ana: ana.p2 (invoice 000008, total 150.00 EUR, paid; expires: 2026-03-20)")


def test_rows_of_a_file_and_imported_balances_follow_the_same_rule(ex: Runner, tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_text("client,package,ref,date\nana,physio-joao-winter,r1,2026-03-20\nbruno,physio-joao-winter,r2,2026-03-21\n")
    before = tree(ex.data_dir)
    result = ex("sell", "--csv", str(sales), now=LATE)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"{sales}:3:package: " + PASSED.format(day="2026-03-21", fix=EDIT_IT) + "\n"
                             f"error: 1 problem in {sales}; nothing was recorded: fix it and run the command again\n")
    assert tree(ex.data_dir) == before
    # an imported balance is dated its sale in the other system ...
    imports = tmp_path / "imports.csv"
    imports.write_text("client,package,ref,date,remaining\nana,physio-joao-winter,i1,2026-03-21,2\n")
    result = ex("sell", "--csv", str(imports), now=LATE)
    assert result.stderr == (f"{imports}:2:package: " + PASSED.format(
        day="2026-03-21", fix="give the balance's last valid day in the expires column, or import it with another package")
        + f"\nerror: 1 problem in {imports}; nothing was recorded: fix it and run the command again\n")
    assert tree(ex.data_dir) == before
    # ... and one that brings its own last valid day keeps that day
    imports.write_text("client,package,ref,date,remaining,expires\nana,physio-joao-winter,i1,2026-03-21,2,2026-04-30\n")
    assert "ana.p2" in ok(ex("sell", "--csv", str(imports), now=LATE))
    [imported] = [p for p in json.loads(ok(ex("balance", "ana", "--format", "json", now=LATE))) if p["id"] == "ana.p2"]
    assert imported["expires"] == "2026-04-30"


def test_a_package_prepared_with_a_past_date_is_saved_with_a_warning(ex: Runner) -> None:
    result = ex("package", "create", "old", "--name", "Old", "--service", "thai=1", "--price", "5",
                "--expires", "on 2020-01-01", now=NOW)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "Created package old\n",
        "warning: package old is valid only through 2020-01-01, which has passed: it cannot be sold until it has a "
        "later expiry date ('sessionpack package edit old --expires ...')\n")
    rows = ok(ex("package", "list", "--format", "csv", now=NOW)).splitlines()
    assert "old,Old,,1 × thai,5.00,on 2020-01-01,expired,listed" in rows
    assert "physio-joao-winter,Winter physio with Joao,Physio,3 × physio,150.00,on 2026-03-20,active,listed" in rows
    assert ok(ex("package", "show", "old", now=NOW)).splitlines()[-2:] == [
        "its last valid day has passed: not sold until it has a later expiry date", "not sold yet"]
    result = ex("package", "edit", "old", "--expires", "on 2027-01-01", now=NOW)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Changed package old\n", "")
    assert "old,Old,,1 × thai,5.00,on 2027-01-01,active,listed" in ok(ex("package", "list", "--format", "csv", now=NOW))


# ---------------------------------------------------------------- --from-json


def test_from_json_nested_too_deeply_is_bad_input(ex: Runner, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    before = tree(ex.data_dir)
    for command in ("create", "edit"):
        assert_error(ex("package", command, "physio-10" if command == "edit" else "x", "--from-json", str(deep), now=NOW), 2,
                     "--from-json: nests objects or arrays too deeply to be read; flatten it (a package is a few levels deep)")
    assert tree(ex.data_dir) == before


# ---------------------------------------------------------------- services taken away by hand


YOGA = 'name = "Yoga pair"\n[contents.sessions]\nyoga = 2\n[payment]\nprice = "30"\n'


def test_a_package_written_by_hand_may_not_name_a_deleted_service(ex: Runner) -> None:
    ok(ex("service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "15", now=NOW))
    ok(ex("service", "delete", "yoga", now=NOW))
    (ex.data_dir / "packages" / "yoga-2.toml").write_text(YOGA)
    said = ("packages/yoga-2.toml:3: contents.sessions.yoga: service 'yoga' was deleted and cannot be in a package; "
            "fix it and run the command again")
    assert check_problems(ex) == [said]
    refused(ex, ex.data_dir, ("sell", "ana", "yoga-2"), 2, said, now=NOW)
    # a deleted package may keep naming it
    (ex.data_dir / "packages" / "yoga-2.toml").write_text("deleted = true\n" + YOGA)
    assert ok(ex("check", now=NOW)) == "No problems found\n"


def test_a_sold_service_marked_deleted_by_hand_is_reported(ex: Runner) -> None:
    with open(ex.data_dir / "services" / "physio.toml", "a") as handle:
        handle.write("deleted = true\n")
    line = (ex.data_dir / "services" / "physio.toml").read_text().splitlines().index("deleted = true") + 1
    assert check_problems(ex) == [
        "packages/physio-10.toml:11: contents.services: service 'physio' was deleted and cannot be in a package; "
        "fix it and run the command again",
        "packages/physio-joao-winter.toml:9: contents.sessions.physio: service 'physio' was deleted and cannot be in "
        "a package; fix it and run the command again",
        f"services/physio.toml:{line}: deleted: service 'physio' is in packages sold 2 times and cannot be deleted; "
        "remove 'deleted = true' (to stop booking it, deactivate it with 'sessionpack service deactivate physio')",
    ]


def test_a_sold_service_whose_file_was_renamed_is_reported(ex: Runner) -> None:
    os.rename(ex.data_dir / "services" / "sauna.toml", ex.data_dir / "services" / "sauna-old.toml")
    assert check_problems(ex) == [
        "packages/sauna-week.toml:11: contents.services: unknown service 'sauna'; add it with 'sessionpack service add "
        "sauna ...' or fix the name; fix it and run the command again",
        "services/sauna.toml: is missing, but service 'sauna' is in packages sold 1 time and must stay; put the file "
        "back from a backup (to stop booking it, deactivate it)",
    ]


def test_a_service_file_that_cannot_be_read_is_one_problem(ex: Runner) -> None:
    (ex.data_dir / "services" / "old.toml").mkdir()
    assert check_problems(ex) == ["services/old.toml is a folder, not a file; move it away or rename it"]
    (ex.data_dir / "services" / "old.toml").rmdir()
    (ex.data_dir / "services" / "physio.toml").write_text("name = \n")
    assert check_problems(ex) == ["services/physio.toml:1: TOML syntax error: Invalid value; fix the line and run the command again"]


# ---------------------------------------------------------------- a sold package's file removed


def test_the_id_of_a_sold_package_whose_file_was_removed_stays_taken(ex: Runner) -> None:
    os.remove(ex.data_dir / "packages" / "physio-10.toml")
    assert check_problems(ex) == [
        "packages/physio-10.toml: is missing, but package 'physio-10' was sold 2 times; put the file back from a "
        "backup (a package that was sold is deactivated, never removed)"]
    said = ("package 'physio-10' was sold 2 times, and its file packages/physio-10.toml is gone; choose another id, "
            "or put the file back from a backup")
    before = tree(ex.data_dir)
    assert_error(ex("package", "create", "physio-10", "--name", "Physio intro", "--service", "sauna=1", "--price", "5",
                    now=NOW), 1, said)
    assert_error(ex("package", "clone", "sauna-week", "physio-10", now=NOW), 1, said)
    assert tree(ex.data_dir) == before


# ---------------------------------------------------------------- settings.toml: the currency


def _set_currency(root: Path, code: str) -> int:
    lines = (root / "settings.toml").read_text().splitlines(keepends=True)
    [at] = [i for i, line in enumerate(lines) if line.startswith("currency = ")]
    lines[at] = f'currency = "{code}"\n'
    (root / "settings.toml").write_text("".join(lines))
    return at + 1


def test_a_currency_init_refuses_stops_every_command(ex: Runner) -> None:
    line = _set_currency(ex.data_dir, "XAU")
    said = (f"settings.toml:{line}: practice.currency: currency 'XAU' is in ISO 4217, but as a precious metal, not "
            "money a practice is paid in; use one such as EUR, USD, GBP, BRL or JPY; fix it and run the command again")
    for args in (("check",), ("balance", "ana"), ("package", "list")):
        assert_error(ex(*args, now=NOW), 3, said)


def test_a_currency_changed_by_hand_after_sales_is_reported(ex: Runner) -> None:
    line = _set_currency(ex.data_dir, "JPY")
    assert check_problems(ex) == [
        f"settings.toml:{line}: practice.currency: is JPY, but the journal records sales in EUR; set currency = \"EUR\" "
        "again (a practice keeps one currency, and recorded amounts are never converted)"]
    _set_currency(ex.data_dir, "eur")  # (any case, as init takes it)
    assert ok(ex("check", now=NOW)) == "No problems found\n"


def test_a_time_zone_changed_by_hand_after_events_is_reported(ex: Runner) -> None:
    """data-example records in Europe/Lisbon; its last event (line 67) is at
    2026-03-02T09:00+00:00, 04:00 in New York and 09:00 in London."""
    lines = (ex.data_dir / "settings.toml").read_text().splitlines(keepends=True)
    [at] = [i for i, line in enumerate(lines) if line.startswith("timezone = ")]
    before = dict(tree(ex.data_dir))
    lines[at] = 'timezone = "America/New_York"\n'
    (ex.data_dir / "settings.toml").write_text("".join(lines))
    assert check_problems(ex) == [
        f"settings.toml:{at + 1}: practice.timezone: is America/New_York, 2026-03-02T04:00-05:00 there, but the "
        "journal's last event (line 67) was recorded at 2026-03-02T09:00+00:00; set timezone back to the zone the "
        "practice records in (a practice keeps one time zone: the dates it recorded are local dates there)"]
    assert {k: v for k, v in tree(ex.data_dir).items() if k != "settings.toml"} == \
        {k: v for k, v in before.items() if k != "settings.toml"}
    lines[at] = 'timezone = "Europe/London"\n'  # (the same offset at that time: nothing to tell them apart by)
    (ex.data_dir / "settings.toml").write_text("".join(lines))
    assert ok(ex("check", now=NOW)) == "No problems found\n"


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize(("body", "said"), [
    ('[restrictions]\ndate_ranges = [[2026-12-01]]\n',
     "packages/x.toml:7: restrictions.date_ranges: date range must be [from, to], e.g. [2026-12-01, 2026-12-24], "
     "not [2026-12-01]"),
    ('[restrictions]\ndates = [true]\n', "packages/x.toml:7: restrictions.dates: date must be a date like 2026-12-01, not true"),
    ('[policies]\nno_show = {a = 1, "b c" = [2026-01-01T10:00:00]}\n',
     'packages/x.toml:7: policies.no_show: must be one of return, forfeit, not {a = 1, "b c" = [2026-01-01T10:00:00]}'),
    ('[restrictions]\nweekdays = [1]\n', "packages/x.toml:7: restrictions.weekdays: weekday 1 is not one of mon, tue, "
     "wed, thu, fri, sat, sun"),
])
def test_values_read_from_a_file_are_shown_as_the_file_writes_them(ex: Runner, body: str, said: str) -> None:
    (ex.data_dir / "packages" / "x.toml").write_text(f'name = "X"\n[contents.sessions]\nthai = 1\n[payment]\nprice = "5"\n{body}')
    assert_error(ex("package", "list", now=NOW), 2, f"{said}; fix it and run the command again")


def test_values_of_contents_and_services_are_shown_as_the_file_writes_them(ex: Runner) -> None:
    (ex.data_dir / "packages" / "x.toml").write_text(
        'name = "X"\norder = true\n[contents]\npool = {massage-60 = 1, thai = 2}\n[payment]\nprice = "5"\n')
    assert_error(ex("package", "list", now=NOW), 2, "packages/x.toml:2: order: must be a whole number from -1000000 to "
                 "1000000, not true; fix it and run the command again")
    (ex.data_dir / "packages" / "x.toml").write_text('name = "X"\n[contents]\npool = {massage-60 = 1, thai = 2}\n[payment]\nprice = "5"\n')
    assert_error(ex("package", "list", now=NOW), 2, "packages/x.toml:3: contents.pool: must be one of count, minutes, "
                 "money, unlimited, not {massage-60 = 1, thai = 2}; fix it and run the command again")
    os.remove(ex.data_dir / "packages" / "x.toml")
    (ex.data_dir / "services" / "x.toml").write_text('name = "X"\nduration = true\nprice = true\n')
    assert_error(ex("service", "list", now=NOW), 2, "services/x.toml:2: duration: duration must be whole minutes, e.g. "
                 "60, not true; fix it and run the command again")


def test_a_catalog_file_that_is_not_utf8_names_the_line_and_the_byte(ex: Runner) -> None:
    (ex.data_dir / "services" / "x.toml").write_bytes(b'duration = 60\nname = "Caf\xe9"\nprice = 3\n')
    assert_error(ex("service", "list", now=NOW), 2,
                 "services/x.toml:2: holds the byte 0xE9, which is not UTF-8 text; save it as UTF-8")


def test_an_expiry_period_too_long_is_said_in_the_unit_typed(ex: Runner) -> None:
    assert_error(ex("package", "create", "x", "--name", "X", "--service", "thai=1", "--price", "5",
                    "--expires", "9999 years", now=NOW), 2,
                 "--expires: expiry period 9999 years is too long; use at most 833 years")
