"""undo gives what the practice would be had the command never happened, or
refuses naming what depends on it: times taken since, closed packages,
pauses, money credits, money owed back, shares, transfers and forced
balances; and the log and history say what was undone and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_util import dry_ok, history_of, journal, ok, ok_json, refused

N = "2026-03-02T09:00"


@pytest.fixture
def shop(sp):  # type: ignore[no-untyped-def]
    """Massage m (60 min, 50.00), package five (5 x m, 250.00); clients ana (c3) and bruno (c4)."""
    for args in (
        ("init", "--name", "Studio Test", "--currency", "EUR", "--timezone", "Europe/Lisbon"),
        ("service", "add", "m", "--name", "Massage", "--duration", "60", "--price", "50"),
        ("package", "create", "five", "--name", "Five", "--service", "m=5", "--price", "250"),
        ("client", "add", "ana", "--name", "Ana"),
        ("client", "add", "bruno", "--name", "Bruno"),
    ):
        assert sp(*args, now=N).exit_code == 0, args
    return lambda *args: sp(*args, now=N)


def no(sp, data_dir: Path, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    refused(sp, data_dir, args, 1, message, now=N)


# -- 1. a time given to someone else since ------------------------------------------


def test_undoing_a_cancel_is_refused_when_the_time_was_booked_since(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("cancel", "ana.b1", "--reason", "ill"))  # c7
    ok(shop("book", "bruno", "m", "2026-03-05T10:00"))
    no(sp, data_dir, ("undo", "c7", "--reason", "cancelled the wrong booking"),
       "undoing c7 would bring back ana.b1 at 2026-03-05 10:00, but the practitioner is already booked then: "
       "bruno.b1 (m, 2026-03-05 10:00-11:00); undo or move that booking first")


def test_undoing_a_move_is_refused_when_the_old_time_was_booked_since(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("move", "ana.b1", "2026-03-06T10:00"))  # c7
    ok(shop("book", "bruno", "m", "2026-03-05T10:00"))
    no(sp, data_dir, ("undo", "c7", "--reason", "moved by mistake"),
       "undoing c7 would bring back ana.b1 at 2026-03-05 10:00, but the practitioner is already booked then: "
       "bruno.b1 (m, 2026-03-05 10:00-11:00); undo or move that booking first")


def test_undoing_a_cancel_or_move_whose_time_is_free_puts_the_session_back(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("move", "ana.b1", "2026-03-06T10:00"))  # c7
    ok(shop("book", "bruno", "m", "2026-03-06T10:00", "--allow-overlap"))  # the new time, which the undo frees
    ok(shop("undo", "c7", "--reason", "moved by mistake"))
    [b1] = [b for b in ok_json(shop("client", "show", "ana", "--format", "json"))["upcoming"] if b["id"] == "ana.b1"]
    assert b1["start"].startswith("2026-03-05T10:00")


# -- 2. a refunded or cancelled package holds nothing ------------------------------


def test_undoing_an_adjust_before_a_refund_is_refused_naming_the_refund(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("adjust", "ana.p1", "--sessions", "-1", "--reason", "one used on the paper card"))  # c6
    ok(shop("refund", "ana.p1", "--full", "--reason", "moving away", "--yes"))  # c7
    no(sp, data_dir, ("undo", "c6", "--reason", "the paper card was someone else's"),
       "c6 cannot be undone alone: later commands depend on it: c7 (refunded ana.p1: full 250.00; voided m 4); "
       "undo them first, or add --cascade to undo them too")
    no(sp, data_dir, ("undo", "c6", "--reason", "the paper card was someone else's", "--cascade", "--yes"),
       "c7 refunded money; undo does not take the money back from the client; add --force to undo it anyway")
    ok(shop("undo", "c6", "--reason", "the paper card was someone else's", "--cascade", "--yes", "--force"))
    [p1] = ok_json(shop("balance", "ana", "--all", "--format", "json"))
    assert (p1["status"], p1["remaining"]) == ("active", {"m": 5})


def test_undoing_an_adjust_before_a_package_cancel_is_refused(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("adjust", "ana.p1", "--sessions", "-1", "--reason", "one used on the paper card"))  # c6
    ok(shop("cancel", "ana.p1", "--reason", "sold by mistake", "--yes"))  # c7
    no(sp, data_dir, ("undo", "c6", "--reason", "x"),
       "c6 cannot be undone alone: later commands depend on it: c7 (cancelled ana.p1 (no refund); voided m 4); "
       "undo them first, or add --cascade to undo them too")


def test_undoing_an_attend_before_a_refund_is_refused(sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A refund is refused while a past session on the package is still booked: undoing the attend would make one."""
    for args in (("init", "--currency", "EUR", "--timezone", "Europe/Lisbon"),
                 ("service", "add", "m", "--name", "Massage", "--duration", "60", "--price", "50"),
                 ("package", "create", "five", "--name", "Five", "--service", "m=5", "--price", "250"),
                 ("client", "add", "ana", "--name", "Ana"), ("client", "add", "bruno", "--name", "Bruno"),
                 ("sell", "ana", "five"), ("book", "ana", "m", "2026-03-01T10:00")):
        ok(sp(*args, now="2026-03-01T09:00"))
    ok(sp("attend", "ana.b1", now=N))  # c7
    ok(sp("refund", "ana.p1", "--full", "--reason", "away", "--yes", now=N))  # c8
    no(sp, data_dir, ("undo", "c7", "--reason", "she did not come"),
       "c7 cannot be undone alone: later commands depend on it: c8 (refunded ana.p1: full 250.00; voided m 4); "
       "undo them first, or add --cascade to undo them too")


# -- 3. a booking inside a pause ---------------------------------------------------


def test_undoing_a_resume_is_refused_while_a_booking_lies_in_the_pause(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("pause", "ana.p1", "2026-03-10", "2026-03-20", "--reason", "travelling"))
    ok(shop("resume", "ana.p1", "--on", "2026-03-12", "--reason", "back early"))  # c7
    ok(shop("book", "ana", "m", "2026-03-15T10:00"))  # c8
    no(sp, data_dir, ("undo", "c7", "--reason", "she did not come back early after all"),
       "c7 cannot be undone alone: later commands depend on it: c8 (booked ana.b1: m on 2026-03-15 10:00 for ana; "
       "draws 1 m from ana.p1); undo them first, or add --cascade to undo them too")


def test_redoing_a_pause_is_refused_while_a_booking_lies_in_it_and_cascade_takes_it_back(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("pause", "ana.p1", "2026-03-10", "2026-03-20", "--reason", "travelling"))  # c6
    ok(shop("undo", "--last", "--reason", "oops"))  # c7
    ok(shop("book", "ana", "m", "2026-03-15T10:00"))  # c8
    no(sp, data_dir, ("undo", "c7", "--reason", "she did travel"),
       "c7 cannot be undone alone: later commands depend on it: c8 (booked ana.b1: m on 2026-03-15 10:00 for ana; "
       "draws 1 m from ana.p1); undo them first, or add --cascade to undo them too")
    assert ok(shop("undo", "c7", "--reason", "she did travel", "--cascade", "--yes")).splitlines()[:2] == [
        "Undid c8: booked ana.b1: m on 2026-03-15 10:00 for ana; draws 1 m from ana.p1",
        "Undid c7: undid c6 (paused ana.p1 from 2026-03-10 to 2026-03-20 (11 days))"]


def test_a_pause_with_kept_bookings_can_be_undone_and_redone(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "m", "2026-03-15T10:00"))
    ok(shop("pause", "ana.p1", "2026-03-10", "2026-03-20", "--keep-bookings", "--reason", "travelling"))  # c7
    ok(shop("undo", "c7", "--reason", "not yet"))  # c8
    ok(shop("undo", "c8", "--reason", "after all"))


# -- 4. a money credit that was short, and no longer is ------------------------------


def test_undoing_a_money_adjust_is_refused_while_a_booking_paid_what_the_credit_lacked(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("package", "create", "credit", "--name", "Credit 100", "--pool", "money=100", "--price", "100"))
    ok(shop("sell", "ana", "credit"))
    ok(shop("adjust", "ana.p1", "--money", "-30", "--reason", "oil paid from credit"))  # c7
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("book", "ana", "m", "2026-03-06T10:00"))  # c9: 20.00 from the credit, 30.00 due
    no(sp, data_dir, ("undo", "c7", "--reason", "the oil was a gift"),
       "c7 cannot be undone alone: later commands depend on it: c9 (booked ana.b2: m on 2026-03-06 10:00 for ana; "
       "draws 20.00 money from ana.p1); undo them first, or add --cascade to undo them too")


def test_undoing_a_money_adjust_before_a_fully_covered_booking_is_allowed(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("package", "create", "credit", "--name", "Credit 100", "--pool", "money=100", "--price", "100"))
    ok(shop("sell", "ana", "credit"))
    ok(shop("adjust", "ana.p1", "--money", "-30", "--reason", "oil paid from credit"))  # c7
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("undo", "c7", "--reason", "the oil was a gift"))
    [p1] = ok_json(shop("balance", "ana", "--format", "json"))
    assert p1["remaining"] == {"money": "50.00"}


# -- 5. money owed back --------------------------------------------------------------


def test_undoing_an_unlink_of_a_paid_booking_is_refused_unless_forced(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("unlink", "ana.b1"))  # c7
    ok(shop("pay", "ana.b1", "50", "--method", "cash"))
    no(sp, data_dir, ("undo", "c7", "--reason", "unlinked by mistake"),
       "undoing c7 would give ana.b1 a fee of 0.00 EUR while 50.00 EUR was paid on it, so 50.00 EUR would be owed "
       "back to ana; add --force to undo it anyway")
    assert ok(shop("undo", "c7", "--reason", "unlinked by mistake", "--force")) == (
        "Undid c7: ana.b1 unlinked from ana.p1; returns 1 m; regular fee 50.00 + 0.00 tax\n"
        "Recorded as c9; 'sessionpack undo c9 --reason ...' does it again\n"
        "ana.b1: 50.00 EUR was paid on it and its fee is now 0.00, so 50.00 EUR is owed back to ana "
        "(see 'sessionpack client show ana')\n")
    assert ok_json(shop("client", "show", "ana", "--format", "json"))["owed_back"]["total"] == "50.00"


def test_a_forced_undo_of_a_refund_says_what_is_owed_back(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("refund", "ana.p1", "--full", "--reason", "moving away", "--yes"))  # c7: unlinks ana.b1
    ok(shop("pay", "ana.b1", "50", "--method", "card"))
    result = shop("undo", "c7", "--reason", "refunded the wrong client", "--force", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ("warning: ana.b1: 50.00 EUR was paid on it and its fee is now 0.00, so 50.00 EUR is owed "
                             "back to ana (see 'sessionpack client show ana')\n")


# -- 6. a share undone -----------------------------------------------------------------


def test_undoing_a_share_is_refused_while_a_booking_draws_through_it(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("client", "relate", "bruno", "ana", "--as", "child", "--can", "use-packages"))
    ok(shop("share", "ana.p1", "bruno"))  # c7
    ok(shop("book", "bruno", "m", "2026-03-05T10:00"))  # c8
    no(sp, data_dir, ("undo", "c7", "--reason", "shared by mistake"),
       "c7 cannot be undone alone: later commands depend on it: c8 (booked bruno.b1: m on 2026-03-05 10:00 for bruno; "
       "draws 1 m from ana.p1); undo them first, or add --cascade to undo them too")


# -- 7. a command described by its main event ---------------------------------------------


def test_log_and_undo_describe_a_refund_and_a_file_of_sales_by_what_they_did(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("refund", "ana.p1", "--full", "--reason", "moving away", "--yes"))  # c7
    [row] = ok_json(shop("log", "--limit", "1", "--format", "json"))
    assert row["what"] == "refunded ana.p1: full 250.00; voided m 5 and 1 more event"
    assert ok(shop("undo", "c7", "--reason", "wrong client", "--force")).splitlines()[0] == (
        "Undid c7: refunded ana.p1: full 250.00; voided m 5 and 1 more event")
    sales = tmp_path / "sales.csv"
    sales.write_text("client,name,package,ref\ncarla,Carla C,five,r1\ndavi,Davi D,five,r2\neva,Eva E,five,r3\n")
    ok(shop("sell", "--csv", str(sales), "--create-clients"))
    [row] = ok_json(shop("log", "--limit", "1", "--format", "json"))
    assert row["what"] == "sold 3 packages to 3 clients (file of sales), adding 3 clients"


# -- 8. history and log after an undo ------------------------------------------------------


def test_history_of_an_undone_client_and_package_shows_the_undo(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))  # c5
    ok(shop("undo", "c3", "--reason", "added the wrong person", "--cascade", "--yes"))  # c6
    rows = ok_json(shop("history", "ana", "--format", "json"))
    assert [(r["seq"], r["undone_by"]) for r in rows] == [(3, "c6"), (5, "c6"), (6, None)]
    assert rows[-1]["why"] == "added the wrong person"
    assert ok(shop("history", "ana")).splitlines()[-1] == (
        "ana is no longer recorded: c3 that made it was undone by c6; its events stay in this history")
    assert ok(shop("history", "ana.p1")).splitlines()[-1] == (
        "ana.p1 is no longer recorded: c5 that made it was undone by c6; its events stay in this history")
    result = shop("history", "ana.p2")
    assert (result.exit_code, result.stderr) == (
        2, "error: no client 'ana'; see 'sessionpack client list' or add one with 'sessionpack client add'\n")


def test_history_of_an_undone_sale_and_the_log_give_the_reason(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))  # c5
    ok(shop("undo", "c5", "--reason", "sold twice"))  # c6
    assert ok(shop("history", "ana.p1")).splitlines()[-1] == (
        "ana.p1 is no longer recorded: c5 that made it was undone by c6; its events stay in this history")
    rows = ok_json(shop("log", "--client", "ana", "--format", "json"))
    assert [(r["id"], r["undone_by"], r["why"]) for r in rows] == [
        ("c6", None, "sold twice"), ("c5", "c6", None), ("c3", None, None)]
    assert ok(shop("log", "--limit", "1", "--format", "csv")).splitlines() == [
        "id,at,actor,what,clients,events,undone_by,why",
        f"c6,2026-03-02T09:00:00+00:00,{rows[0]['actor']},\"undid c5 (sold five as ana.p1 for 250.00 (invoice 000001, "
        "paid 250.00))\",ana,1,,sold twice"]


# -- 9. a forced balance taken further ------------------------------------------------------


def test_undoing_an_adjust_that_deepens_a_forced_negative_is_refused_unless_forced(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("adjust", "ana.p1", "--sessions", "+2", "--reason", "bonus"))  # c6
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("book", "ana", "m", "2026-03-06T10:00"))
    ok(shop("adjust", "ana.p1", "--sessions", "-6", "--reason", "paper card", "--force"))  # c9: m -1
    no(sp, data_dir, ("undo", "c6", "--reason", "the bonus was for bruno"),
       "c6 cannot be undone alone: later commands depend on it: c9 (adjusted ana.p1: m -6 (forced)); "
       "undo them first, or add --cascade to undo them too")
    ok(shop("undo", "c6", "--reason", "the bonus was for bruno", "--force"))
    [p1] = ok_json(shop("balance", "ana", "--format", "json"))
    assert p1["remaining"] == {"m": -3}


def test_undoing_a_later_command_is_not_held_up_by_a_forced_negative(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five", "--paid", "100"))
    ok(shop("book", "ana", "m", "2026-03-05T10:00"))
    ok(shop("adjust", "ana.p1", "--sessions", "-5", "--reason", "paper card", "--force"))  # m -1
    ok(shop("pay", "ana.p1", "10"))
    ok(shop("undo", "--last", "--reason", "typo"))


# -- 10. a transfer keeps the expiry of its day ---------------------------------------------


def test_undoing_a_pause_is_refused_when_a_transfer_kept_its_days(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("package", "create", "q", "--name", "Q", "--service", "m=5", "--price", "250", "--expires", "3 months"))
    ok(shop("sell", "ana", "q"))
    ok(shop("pause", "ana.p1", "2026-04-01", "2026-04-30", "--reason", "travelling"))  # c7
    ok(shop("transfer", "ana.p1", "bruno", "--sessions", "2", "--reason", "gift"))  # c8
    before = journal(data_dir)
    no(sp, data_dir, ("undo", "c7", "--reason", "she never travelled"),
       "c7 cannot be undone alone: later commands depend on it: c8 (transferred m 2 from ana.p1 to bruno.p1); "
       "undo them first, or add --cascade to undo them too")
    assert journal(data_dir) == before


def test_undoing_an_attend_of_a_session_booked_over_another_is_allowed(shop) -> None:  # type: ignore[no-untyped-def]
    """Only a time the undo gives a session anew is checked: an attend undone leaves it where it was."""
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "bruno", "m", "2026-03-02T08:00"))
    ok(shop("book", "ana", "m", "2026-03-02T08:00", "--allow-overlap"))
    ok(shop("attend", "ana.b1"))
    ok(shop("undo", "--last", "--reason", "not yet"))


# -- 8. what ends a pause or a share depends on it ----------------------------------------


def test_undoing_a_pause_is_refused_while_its_resume_stands_and_cascade_takes_both(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("pause", "ana.p1", "2026-03-10", "2026-03-20", "--reason", "away"))  # c6
    ok(shop("resume", "ana.p1", "--on", "2026-03-15", "--reason", "back early"))  # c7
    no(sp, data_dir, ("undo", "c6", "--reason", "the pause was a mistake"),
       "c6 cannot be undone alone: later commands depend on it: c7 (resumed ana.p1 on 2026-03-15: paused from 2026-03-10 "
       "to 2026-03-14 (5 days)); undo them first, or add --cascade to undo them too")
    ok(shop("undo", "c6", "--reason", "the pause was a mistake", "--cascade", "--yes"))
    assert [(h["type"], h["undone_by"]) for h in history_of(shop, "ana.p1")][1:] == [
        ("paused", "c8"), ("resumed", "c8")]


def test_undoing_a_share_or_an_unshare_is_refused_while_what_came_after_stands(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("client", "relate", "bruno", "ana", "--as", "child", "--can", "use-packages"))
    ok(shop("share", "ana.p1", "bruno"))  # c7
    ok(shop("unshare", "ana.p1", "bruno", "--reason", "moved out"))  # c8
    ok(shop("share", "ana.p1", "bruno"))  # c9
    no(sp, data_dir, ("undo", "c7", "--reason", "shared by mistake"),
       "c7 cannot be undone alone: later commands depend on it: c8 (ana.p1 no longer shared with bruno); "
       "undo them first, or add --cascade to undo them too")
    no(sp, data_dir, ("undo", "c8", "--reason", "unshared by mistake"),
       "c8 cannot be undone alone: later commands depend on it: c9 (ana.p1 shared with bruno); "
       "undo them first, or add --cascade to undo them too")
    ok(shop("undo", "c9", "--reason", "shared twice"))
    ok(shop("undo", "c8", "--reason", "unshared by mistake"))  # shared again, by c7 alone
    assert ok_json(shop("balance", "ana", "--format", "json"))[0]["shared_with"] == ["bruno"]


def test_undo_dry_run_gives_no_instruction_about_an_undo_never_recorded(shop, sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))  # c5
    before = journal(data_dir)
    result = shop("undo", "c5", "--reason", "sold twice", "--dry-run")
    assert dry_ok(result) == ("Undid c5: sold five as ana.p1 for 250.00 (invoice 000001, paid 250.00)\n"
                              "It would be recorded as c6\n")
    assert journal(data_dir) == before


# -- 9. the history of an undo adds up, and names only the client's commands --------------


def test_a_package_history_counts_what_an_undo_took_away_so_its_changes_add_up(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("transfer", "ana.p1", "bruno", "--sessions", "3", "--reason", "gift"))  # c6
    ok(shop("book", "bruno", "m", "2026-03-10T10:00"))  # c7
    ok(shop("undo", "c6", "--reason", "wrong client", "--cascade", "--yes"))  # c8
    ok(shop("undo", "c8", "--reason", "it was right"))  # c9
    rows = history_of(shop, "bruno.p1")
    assert [(r["command"], r["change"]) for r in rows] == [
        ("c6", {"m": 3}), ("c7", {"m": -1}), ("c8", {"m": -2}), ("c9", {"m": 2})]
    assert sum(r["change"]["m"] for r in rows) == rows[-1]["balance"]["m"] == 2


def test_a_client_history_names_only_the_commands_of_that_client_a_cascade_undid(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sales = tmp_path / "sales.csv"
    sales.write_text("client,package,ref,paid\nana,five,r1,\nbruno,five,r2,0\n", encoding="utf-8")
    ok(shop("sell", "--csv", str(sales)))  # c5
    ok(shop("pay", "bruno.p1", "150", "--method", "cash"))  # c7
    ok(shop("undo", "c5", "--reason", "wrong file", "--cascade", "--yes"))
    [ana_undo] = [r["what"] for r in history_of(shop, "ana") if r["type"] == "undone"]
    assert ana_undo == "undid c5 (sold 2 packages to 2 clients (file of sales))"
    [bruno_undo] = [r["what"] for r in history_of(shop, "bruno") if r["type"] == "undone"]
    assert bruno_undo == "undid c7 (payment of 150.00 on bruno.p1); c5 (sold 2 packages to 2 clients (file of sales))"
