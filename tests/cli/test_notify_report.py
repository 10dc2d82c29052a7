"""The report of a notify run (notify.compose.Report): a notice's "pending"
row becomes its outcome when it is delivered in the same run, found by its
key (a run of ten thousand notices read every row for each one)."""

from __future__ import annotations

from sessionpack.notify.compose import Report


def test_a_pending_row_is_settled_by_its_key_in_order() -> None:
    report = Report()
    report.add("expired", "ana.p1")
    report.add("pending", "ana.p1", "expired", "ana", "ana@example.com", "not sent yet", "k1")
    report.add("pending", "bea.p1", "low", "bea", "bea@example.com", "not sent yet", "k2")
    report.add("pending", "ana.p1", "expired", "ana", "copy@example.com", "not sent yet", "k1")  # the same key twice
    assert report.has_pending("k1") and report.has_pending("k2") and not report.has_pending("k3")
    report.settle("sent", "k1", "250 OK")
    assert [(r["action"], r["to"], r["detail"]) for r in report.rows[1:]] == [
        ("sent", "ana@example.com", "250 OK"), ("pending", "bea@example.com", "not sent yet"),
        ("pending", "copy@example.com", "not sent yet")]
    report.settle("failed", "k1", "550 no such user")
    assert not report.has_pending("k1") and report.rows[3]["action"] == "failed"
    report.settle("sent", "k3", "250 OK")  # not listed as pending in this run: a row of its own
    assert report.rows[-1] == {"action": "sent", "client_package": "", "kind": "", "recipient": "", "to": "",
                               "detail": "250 OK", "key": "k3"}
    assert (report.count("sent"), report.count("pending"), report.count("failed")) == (2, 1, 1)
