"""undo and log (rule 18 of docs/rules.md): every write command taken back
exactly, dependencies refused or cascaded, an undo undone, commands listed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli_util import events, ok, ok_json, refused
from tree import tree_hash

LATER = "2026-11-25T12:00:00"


@pytest.fixture
def shop(practice):  # type: ignore[no-untyped-def]
    """ana owns five massages (one booked, one attended); bruno is a client; leo is related to ana."""
    for args in (
        ("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400", "--expires", "1 year"),
        ("package", "create", "credit", "--name", "Credit", "--pool", "money=300", "--price", "270"),
        ("client", "add", "bruno", "--name", "Bruno Costa", "--email", "bruno@example.com"),
        ("client", "add", "leo", "--name", "Leo Lima"),
        ("sell", "ana", "five", "--paid", "100"),
        ("sell", "ana", "credit"),
        ("book", "ana", "massage", "2026-11-21T10:00"),
        ("book", "ana", "massage", "2026-11-28T10:00"),
        ("book", "ana", "massage", "2026-12-05T10:00", "--no-package"),
    ):
        assert practice(*args).exit_code == 0, args
    assert practice("attend", "ana.b1", now=LATER).exit_code == 0
    return practice


def snapshot(sp) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What a person or program reads of the practice: balances, statements, lists, catalog."""
    out = {}
    for args in (("balance", "--all", "--format", "json"), ("statement", "ana", "--format", "json"),
                 ("statement", "bruno", "--format", "json"), ("client", "list", "--format", "json"),
                 ("client", "show", "ana", "--format", "json"), ("package", "list", "--all", "--format", "json"),
                 ("service", "list", "--format", "json"), ("report", "sales", "--from", "2026-01-01", "--format", "json")):
        result = sp(*args, now=LATER)
        out[" ".join(args)] = result.stdout if result.exit_code == 0 else f"exit {result.exit_code}: {result.stderr}"
    return out


WRITES = [
    ("sell", "bruno", "five", "--paid", "400"),
    ("assign", "bruno", "credit"),
    ("pay", "ana.p1", "50"),
    ("book", "ana", "massage", "2026-12-01T10:00"),
    ("book", "ana", "massage", "2026-12-01T10:00", "--repeat", "weekly", "--count", "3"),
    ("cancel", "ana.b2"),
    ("cancel", "ana.b2", "ana.b3", "--yes"),
    ("move", "ana.b2", "2026-11-30T15:00"),
    ("attend", "ana.b2"),
    ("no-show", "ana.b2"),
    ("link", "ana.b3", "ana.p1"),
    ("unlink", "ana.b2"),
    ("adjust", "ana.p1", "--sessions", "+2", "--reason", "goodwill"),
    ("pause", "ana.p1", "2026-12-10", "2026-12-20", "--reason", "travel"),
    ("refund", "ana.p2", "--full", "--reason", "moving", "--yes"),
    ("cancel", "ana.p2", "--reason", "sold by mistake", "--yes"),
    ("transfer", "ana.p1", "bruno", "--sessions", "1", "--reason", "gift"),
    ("transfer", "ana.p2", "bruno", "--all", "--reason", "moving", "--yes"),
    ("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages"),
    ("client", "add", "zoe", "--name", "Zoe"),
    ("client", "edit", "ana", "--name", "Ana Maria Lima"),
    ("service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "15"),
    ("service", "edit", "massage", "--price", "95"),
    ("package", "create", "ten", "--name", "10 massages", "--service", "massage=10", "--price", "700"),
    ("package", "edit", "five", "--price", "420"),
    ("package", "deactivate", "credit"),
    ("service", "delete", "thai"),
]


@pytest.mark.parametrize("args", WRITES, ids=[" ".join(a[:2]) for a in WRITES])
def test_undo_of_every_write_command_gives_back_exactly_what_was(shop, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(shop)
    when = "2026-11-29T12:00:00" if args[0] in ("attend", "no-show") else LATER  # after the session
    result = shop(*args, now=when)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    assert snapshot(shop) != before or args[0] in ("client",) and args[1] == "relate"
    undo = ["undo", "--last", "--reason", "typed the wrong thing"] + (["--force"] if args[0] == "refund" else [])
    done = shop(*undo, now=LATER)
    assert done.exit_code == 0, (done.stdout, done.stderr)
    assert snapshot(shop) == before
    assert ok(shop("check", "--full", now=LATER)) == "No problems found\n"


def test_a_sale_with_bookings_on_it_is_refused_then_cascaded(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    sale = next(e["command"] for e in events(data_dir) if e["type"] == "sold" and e["client_package"] == "ana.p1")
    booked = [e["command"] for e in events(data_dir) if e["type"] == "booked" and e["booking"].get("package") == "ana.p1"]
    attended = next(e["command"] for e in events(data_dir) if e["type"] == "attended")
    refused(shop, data_dir, ("undo", sale, "--reason", "x"), 1,
            f"{sale} cannot be undone alone: later commands depend on it: "
            f"{attended} (ana.b1: attended); "
            f"{booked[1]} (booked ana.b2: massage on 2026-11-28 10:00 for ana; draws 1 massage from ana.p1); "
            f"{booked[0]} (booked ana.b1: massage on 2026-11-21 10:00 for ana; draws 1 massage from ana.p1); "
            "undo them first, or add --cascade to undo them too")
    refused(shop, data_dir, ("undo", sale, "--reason", "x", "--cascade"), 2,
            "undo 4 commands asks for confirmation and there is no terminal to ask on; add --yes to go ahead "
            "(or --dry-run to see what it would do)")
    record = ok_json(shop("undo", sale, "--reason", "sold twice", "--cascade", "--yes", "--format", "json"))
    assert [u["command"] for u in record["undone"]] == [attended, booked[1], booked[0], sale]
    assert [s["id"] for s in ok_json(shop("balance", "ana", "--format", "json"))] == ["ana.p2"]
    # The ids it gave out stay given out.
    assert ok_json(shop("sell", "ana", "five", "--format", "json"))["id"] == "ana.p3"
    assert ok(shop("check", "--full")) == "No problems found\n"


def test_undoing_an_undo_does_the_command_again(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(shop)
    ok(shop("adjust", "ana.p1", "--sessions", "+3", "--reason", "goodwill", now=LATER))
    after = snapshot(shop)
    first = ok_json(shop("undo", "--last", "--reason", "too many", "--format", "json", now=LATER))
    assert snapshot(shop) == before
    again = ok_json(shop("undo", first["id"], "--reason", "it was right", "--format", "json", now=LATER))
    assert again["undone"][0]["command"] == first["id"]
    assert snapshot(shop) == after
    adjusted = next(e["command"] for e in events(data_dir) if e["type"] == "adjusted")
    refused(shop, data_dir, ("undo", first["id"], "--reason", "x"), 1, f"{first['id']} is already undone (by {again['id']}); "
            f"undo {again['id']} to do it again", now=LATER)
    history = ok_json(shop("history", "ana.p1", "--format", "json", now=LATER))
    assert [(h["type"], h["change"], h["undone_by"]) for h in history if h["seq"] >= int(adjusted[1:])] == [
        ("adjusted", {"massage": 3}, None), ("undone", {"massage": -3}, again["id"]), ("undone", {"massage": 3}, None)]


def test_refusals_name_what_to_do(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    refused(shop, data_dir, ("undo", "--reason", "x"), 2, "name the command to undo (an id from 'sessionpack log') or give --last")
    refused(shop, data_dir, ("undo", "c2", "--last", "--reason", "x"), 2, "name the command to undo or give --last, not both")
    refused(shop, data_dir, ("undo", "--last"), 2, "undo needs --reason R (it stays in the history)")
    refused(shop, data_dir, ("undo", "42", "--reason", "x"), 2, "'42' is not a command id like c42; 'sessionpack log' lists them")
    refused(shop, data_dir, ("undo", "c999", "--reason", "x"), 2, "no command c999; 'sessionpack log' lists them")
    ok(shop("refund", "ana.p2", "--full", "--reason", "moving", "--yes", now=LATER))
    refund = events(data_dir)[-1]["command"]
    refused(shop, data_dir, ("undo", refund, "--reason", "x"), 1,
            f"{refund} refunded money; undo does not take the money back from the client; add --force to undo it anyway", now=LATER)
    shop("service", "edit", "yoga", "--price", "1")  # no such service: nothing recorded
    ok(shop("service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "15"))
    added = events(data_dir)[-1]["command"]
    path = data_dir / "services" / "yoga.toml"
    path.write_text(path.read_text().replace("15", "16"))
    refused(shop, data_dir, ("undo", added, "--reason", "x"), 1,
            f"services/yoga.toml changed after {added} (by hand or by a later command); undo that change first, or edit the file yourself")


def test_a_package_sold_since_it_was_created_cannot_be_taken_away(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    created = next(e["command"] for e in events(data_dir) if e["type"] == "catalog-changed" and e["file"] == "packages/credit.toml")
    refused(shop, data_dir, ("undo", created, "--reason", "x"), 1,
            f"{created} added package 'credit', which has been sold since (1 time); it cannot be taken away: deactivate it instead")


def test_dry_run_shows_the_undo_and_records_nothing(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    before = tree_hash(data_dir)
    result = shop("undo", "--last", "--reason", "x", "--dry-run")
    assert (result.exit_code, result.stderr) == (0, "warning: dry run: nothing was recorded\n")
    assert result.stdout.startswith("Undid c")
    assert tree_hash(data_dir) == before


def test_log_lists_commands_with_filters(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("--actor", "maria", "adjust", "ana.p1", "--sessions", "+1", "--reason", "goodwill", now=LATER))
    ok(shop("undo", "--last", "--reason", "no", now=LATER))
    rows = ok_json(shop("log", "--format", "json", "--limit", "3", now=LATER))
    adjust, undo = rows[1]["id"], rows[0]["id"]
    assert [(r["id"], r["actor"], r["clients"], r["undone_by"]) for r in rows[:2]] == [
        (undo, rows[0]["actor"], ["ana"], None), (adjust, "maria", ["ana"], undo)]
    assert rows[1]["what"] == "adjusted ana.p1: massage +1"
    assert [r["id"] for r in ok_json(shop("log", "--actor", "maria", "--format", "json", now=LATER))] == [adjust]
    assert [r["id"] for r in ok_json(shop("log", "--client", "bruno", "--format", "json", now=LATER))] == [
        next(e["command"] for e in events(data_dir) if e["type"] == "client-added" and e["client"]["id"] == "bruno")]
    assert ok_json(shop("log", "--from", "2026-11-25", "--format", "json", now=LATER))[-1]["id"] == rows[2]["id"]
    lines = ok(shop("log", "--format", "jsonl", "--limit", "2", now=LATER)).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [undo, adjust]
    csv = ok(shop("log", "--format", "csv", "--limit", "1", now=LATER)).splitlines()
    assert csv[0] == "id,at,actor,what,clients,events,undone_by,why"


def test_an_undone_client_is_gone_and_can_be_added_again(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "add", "zoe", "--name", "Zoe"))
    ok(shop("undo", "--last", "--reason", "typo"))
    refused(shop, data_dir, ("balance", "zoe"), 2, "no client 'zoe'; see 'sessionpack client list' or add one with 'sessionpack client add'")
    ok(shop("client", "add", "zoe", "--name", "Zoe Santos"))
    assert ok_json(shop("client", "show", "zoe", "--format", "json"))["name"] == "Zoe Santos"
    assert ok(shop("check", "--full")) == "No problems found\n"


RELATED = (("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages"),)
MORE = [
    (RELATED, ("share", "ana.p2", "leo")),
    (RELATED + (("share", "ana.p2", "leo"),), ("unshare", "ana.p2", "leo")),
    (RELATED, ("client", "unrelate", "leo", "ana")),
    ((("pause", "ana.p1", "2026-12-10", "2026-12-20", "--reason", "travel"),), ("resume", "ana.p1")),
    ((), ("code", "reset", "ana.p1")),
    ((), ("service", "deactivate", "thai")),
    ((), ("package", "clone", "five", "six")),
    ((("package", "create", "ten", "--name", "10", "--service", "massage=10", "--price", "700"),), ("package", "delete", "ten")),
]


@pytest.mark.parametrize("setup, args", MORE, ids=[" ".join(a[:2]) for _, a in MORE])
def test_undo_of_the_other_write_commands(shop, setup: tuple, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for step in setup:
        assert shop(*step, now=LATER).exit_code == 0, step
    before = snapshot(shop)
    result = shop(*args, now=LATER)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    ok(shop("undo", "--last", "--reason", "not meant", now=LATER))
    assert snapshot(shop) == before
    assert ok(shop("check", "--full", now=LATER)) == "No problems found\n"


def test_a_file_of_sales_is_undone_as_a_whole(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sales = tmp_path / "sales.csv"
    sales.write_text("client,name,package,ref\nbruno,,five,shop-1\nnew1,New One,credit,shop-2\nleo,,five,shop-3\n")
    before = snapshot(shop)
    rows = ok_json(shop("sell", "--csv", str(sales), "--create-clients", "--format", "json", now=LATER))
    assert [r["status"] for r in rows] == ["created"] * 3
    record = ok_json(shop("undo", "--last", "--reason", "wrong file", "--format", "json", now=LATER))
    assert [u["events"] for u in record["undone"]] == [4]  # three sales and the client the file added, one command
    assert snapshot(shop) == before
    # Its references are free again: the same file records the same sales anew.
    again = ok_json(shop("sell", "--csv", str(sales), "--create-clients", "--format", "json", now=LATER))
    assert [r["status"] for r in again] == ["created"] * 3
    assert ok(shop("check", "--full", now=LATER)) == "No problems found\n"


def test_an_undo_of_many_clients_leaves_each_view_its_own_share(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The undo's journal line names every client and every event; each
    client's view keeps only itself and its own events' seqs (it kept the
    whole line: an undo of a file of N new clients wrote N copies of a list
    of N clients, and the views grew with the square of the file)."""
    sales = tmp_path / "sales.csv"
    sales.write_text("client,name,package,ref\n" + "".join(f"new{n},New {n},credit,bulk-{n}\n" for n in range(60)))
    ok_json(shop("sell", "--csv", str(sales), "--create-clients", "--format", "json", now=LATER))
    sold = {e["seq"] for e in events(data_dir) if "new7" in e.get("clients", [])}
    size_before = (data_dir / "views" / "clients" / "new7.json").stat().st_size
    first = ok_json(shop("undo", "--last", "--reason", "wrong file", "--format", "json", now=LATER))
    # log names a few of its clients in a table and all of them in JSON
    table = ok(shop("log", "--limit", "2", now=LATER)).splitlines()
    assert table[2].rstrip().endswith("new0, new1, new10, new11, new12 and 55 more          wrong file")
    assert table[2].startswith(first["id"])
    assert [len(r["clients"]) for r in ok_json(shop("log", "--limit", "2", "--format", "json", now=LATER))] == [60, 60]
    line = next(e for e in events(data_dir) if e["type"] == "undone")
    assert len(line["clients"]) == 60 and len(line["undo"][0]["seqs"]) == 120  # the journal keeps the whole undo
    view = json.loads((data_dir / "views" / "clients" / "new7.json").read_text())
    kept = view["events"][-1]
    assert kept["type"] == "undone" and kept["clients"] == ["new7"] and kept["command"] == first["id"]
    assert kept["undo"] == [{"command": line["undo"][0]["command"], "seqs": sorted(sold), "what": line["undo"][0]["what"]}]
    assert view["undone"] == sorted(sold)
    assert (data_dir / "views" / "clients" / "new7.json").stat().st_size < size_before + 600  # not a list of 60 clients
    assert ok(shop("check", "--full", now=LATER)) == "No problems found\n"
    # Undone again (a redo): each view keeps its share of that undo too, and the sales count again.
    again = ok_json(shop("undo", first["id"], "--reason", "right file", "--format", "json", now=LATER))
    view = json.loads((data_dir / "views" / "clients" / "new7.json").read_text())
    assert view["events"][-1]["clients"] == ["new7"] and view["events"][-1]["command"] == again["id"]
    assert view["events"][-1]["undo"][0]["seqs"] == [kept["seq"]] and view["undone"] == [kept["seq"]]  # (the first undo)
    assert ok_json(shop("balance", "new7", "--format", "json", now=LATER))[0]["id"] == "new7.p1"
    history = ok_json(shop("history", "new7", "--format", "json", now=LATER))
    assert [(h["type"], h["undone_by"]) for h in history] == [("client-added", None), ("sold", None), ("undone", again["id"]),
                                                             ("undone", None)]
    assert ok(shop("check", "--full", now=LATER)) == "No problems found\n"
    files = {p.relative_to(data_dir).as_posix(): p.read_bytes() for p in (data_dir / "views").rglob("*") if p.is_file()}
    shutil.rmtree(data_dir / "views")
    ok(shop("check", "--rebuild", now=LATER))
    rebuilt = {p.relative_to(data_dir).as_posix(): p.read_bytes() for p in (data_dir / "views").rglob("*") if p.is_file()}
    assert rebuilt == files  # a rebuild from the journal makes the views the commits made


def test_a_log_table_names_six_clients_whole_and_five_of_more() -> None:
    from sessionpack.cli.undo_cmds import clients_cell

    assert clients_cell([]) == ""
    assert clients_cell([f"c{n}" for n in range(6)]) == "c0, c1, c2, c3, c4, c5"
    assert clients_cell([f"c{n}" for n in range(7)]) == "c0, c1, c2, c3, c4 and 2 more"


# ---------------------------------------------------------------- what a later command needs


def last_command(data_dir: Path) -> str:
    return events(data_dir)[-1]["command"]


def test_a_balance_forced_below_zero_is_its_own_command_s_not_the_undo_s(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("adjust", "ana.p1", "--sessions", "-4", "--reason", "counted wrong", "--force", now=LATER))  # 3 left, 1 booked: -1
    forced = last_command(data_dir)
    ok(shop("pay", "ana.p1", "10", now=LATER))
    paid = last_command(data_dir)
    ok(shop("client", "edit", "ana", "--phone", "+351 912 000 000", now=LATER))
    undone = ok_json(shop("undo", paid, "--reason", "typo", "--format", "json", now=LATER))
    assert [c["command"] for c in undone["undone"]] == [paid]  # the forced adjustment before it is no dependency
    ok(shop("undo", undone["id"], "--reason", "it was right", now=LATER))  # and the undo of that undo redoes it
    ok(shop("undo", forced, "--reason", "x", now=LATER))  # the forced command itself can be taken back
    assert shop("check", "--full", now=LATER).stdout == "No problems found\n"


def test_a_client_s_records_depend_on_the_client(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    added = next(e["command"] for e in events(data_dir) if e["type"] == "client-added" and e["client"]["id"] == "bruno")
    ok(shop("sell", "bruno", "five", now=LATER))
    sold = last_command(data_dir)
    before = tree_hash(data_dir)
    alone = shop("undo", added, "--reason", "x", now=LATER)
    assert alone.exit_code == 1
    assert alone.stderr.startswith(f"error: {added} cannot be undone alone: later commands depend on it: {sold} (sold five as bruno.p1")
    assert tree_hash(data_dir) == before
    both = ok_json(shop("undo", added, "--reason", "x", "--cascade", "--yes", "--format", "json", now=LATER))
    assert sorted(c["command"] for c in both["undone"]) == sorted([added, sold])
    assert shop("balance", "--all", "--format", "json", now=LATER).stdout.count("bruno.p1") == 0


def test_a_redo_never_makes_again_what_exists_since(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "one.csv"
    path.write_text("client,name,email,package,ref\nnewc,New Client,newc@example.com,five,r-9\n")
    ok(shop("sell", "--csv", str(path), "--create-clients", now=LATER))
    undo = ok_json(shop("undo", "--last", "--reason", "x", "--format", "json", now=LATER))["id"]
    again = ok_json(shop("sell", "--csv", str(path), "--create-clients", "--format", "json", now=LATER))
    assert again[0]["id"] == "newc.p2"  # the id the undone sale had stays given out
    before = tree_hash(data_dir)
    result = shop("undo", undo, "--reason", "redo", now=LATER)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {undo} cannot be undone alone: later commands depend on it: ")
    assert tree_hash(data_dir) == before


def test_a_payment_a_refund_needs_is_a_dependency(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("pay", "ana.p1", "300", now=LATER))
    paid = last_command(data_dir)
    ok(shop("refund", "ana.p1", "--full", "--reason", "moving", "--yes", "--cancel-bookings", now=LATER))
    refund = last_command(data_dir)
    result = shop("undo", paid, "--reason", "x", now=LATER)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {paid} cannot be undone alone: later commands depend on it: {refund} (")


def test_a_redo_never_brings_back_a_reference_given_to_another_sale_since(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "bruno", "five", "--ref", "R1", now=LATER))
    undo = ok_json(shop("undo", "--last", "--reason", "x", "--format", "json", now=LATER))["id"]
    assert ok_json(shop("sell", "bruno", "five", "--ref", "R1", "--format", "json", now=LATER))["id"] == "bruno.p2"
    refused(shop, data_dir, ("undo", undo, "--reason", "redo"), 1,
            f"undoing {undo} would bring back bruno.p1 with the reference 'R1', which bruno.p2 has since; "
            "a reference is unique in the practice: undo the sale of bruno.p2 first", now=LATER)


def test_a_service_in_use_cannot_be_taken_away_by_an_undo(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "15", now=LATER))
    added = last_command(data_dir)
    ok(shop("package", "create", "yoga5", "--name", "Y5", "--service", "yoga=5", "--price", "60", now=LATER))
    refused(shop, data_dir, ("undo", added, "--reason", "x"), 1,
            f"{added} added service 'yoga', which package 'yoga5' names; it cannot be taken away: deactivate it instead", now=LATER)
    ok(shop("undo", "--last", "--reason", "no yoga packages", now=LATER))
    ok(shop("book", "ana", "yoga", "2026-12-10T10:00", now=LATER))
    booked = events(data_dir)[-1]["booking"]["id"]
    refused(shop, data_dir, ("undo", added, "--reason", "x"), 1,
            f"{added} added service 'yoga', which booking {booked} is of; it cannot be taken away: deactivate it instead", now=LATER)
    assert (data_dir / "services" / "yoga.toml").exists()


def test_a_large_file_creating_clients_again_keeps_their_given_out_ids(shop, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = "".join(f"new{n},Client {n},new{n}@example.com,five,ref-{n}\n" for n in range(40))  # (over 32: one listing of the views)
    path = tmp_path / "many.csv"
    path.write_text("client,name,email,package,ref\n" + rows)
    ok(shop("sell", "--csv", str(path), "--create-clients", now=LATER))
    ok(shop("undo", "--last", "--reason", "wrong file", now=LATER))
    again = ok_json(shop("sell", "--csv", str(path), "--create-clients", "--format", "json", now=LATER))
    assert {row["id"] for row in again} == {f"new{n}.p2" for n in range(40)}
    assert shop("check", "--full", now=LATER).stdout == "No problems found\n"


def test_a_booking_the_undone_pause_made_room_for_depends_on_it(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("package", "create", "month", "--name", "A month", "--service", "massage=5", "--price", "100", "--expires", "1 month",
            now="2026-01-05T09:00"))
    ok(shop("sell", "bruno", "month", now="2026-01-05T09:00"))  # valid through 2026-02-04
    ok(shop("pause", "bruno.p1", "2026-01-10", "2026-01-19", "--reason", "travel", now="2026-01-06T09:00"))  # through 2026-02-14
    paused = last_command(data_dir)
    ok(shop("book", "bruno", "massage", "2026-02-12T10:00", "--require-package", now="2026-01-07T09:00"))
    booked = last_command(data_dir)
    result = shop("undo", paused, "--reason", "x", now="2026-01-08T09:00")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {paused} cannot be undone alone: later commands depend on it: {booked} (booked bruno.b")


def test_a_redo_never_brings_back_a_session_whose_time_was_given_since(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "massage", "2026-12-10T10:00", now=LATER))
    booked = events(data_dir)[-1]["booking"]["id"]
    undo = ok_json(shop("undo", "--last", "--reason", "x", "--format", "json", now=LATER))["id"]
    ok(shop("book", "bruno", "massage", "2026-12-10T10:30", "--no-package", now=LATER))
    other = events(data_dir)[-1]["booking"]["id"]
    refused(shop, data_dir, ("undo", undo, "--reason", "redo"), 1,
            f"undoing {undo} would bring back {booked} at 2026-12-10 10:00, but the practitioner is already booked then: "
            f"{other} (massage, 2026-12-10 10:30-11:30); undo or move that booking first", now=LATER)
    ok(shop("cancel", other, now=LATER))
    ok(shop("undo", undo, "--reason", "redo", now=LATER))  # the time is free again


def test_a_booking_on_a_package_whose_expiry_was_recorded_since_stays(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("package", "create", "month", "--name", "A month", "--service", "massage=5", "--price", "100", "--expires", "1 month",
            now="2026-01-05T09:00"))
    ok(shop("sell", "bruno", "month", now="2026-01-05T09:00"))  # valid through 2026-02-04
    ok(shop("book", "bruno", "massage", "2026-01-20T10:00", now="2026-01-06T09:00"))
    booked = last_command(data_dir)
    ok(shop("notify", "--quiet", now="2026-03-01T09:00"))  # the sweep records the expiry: 4 forfeited, 1 still booked
    sweep = last_command(data_dir)
    before = tree_hash(data_dir)
    result = shop("undo", booked, "--reason", "x", now="2026-03-01T10:00")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {booked} cannot be undone: the 'sessionpack notify' run {sweep} since recorded what it would change (")
    assert tree_hash(data_dir) == before


def test_a_share_depends_on_the_link_that_allows_it(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages", now=LATER))
    related = last_command(data_dir)
    ok(shop("share", "ana.p2", "leo", now=LATER))
    shared = last_command(data_dir)
    alone = shop("undo", related, "--reason", "x", now=LATER)
    assert alone.exit_code == 1
    assert alone.stderr.startswith(f"error: {related} cannot be undone alone: later commands depend on it: {shared} (")
    ok(shop("unshare", "ana.p2", "leo", now=LATER))
    unshared = last_command(data_dir)
    ok(shop("client", "unrelate", "ana", "leo", "--reason", "moved out", now=LATER))
    ended = last_command(data_dir)
    again = shop("undo", unshared, "--reason", "x", now=LATER)  # the share would outlive the link that ended since
    assert again.exit_code == 1
    assert again.stderr.startswith(f"error: {unshared} cannot be undone alone: later commands depend on it: {ended} (")
