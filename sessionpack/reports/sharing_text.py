"""Words for client links and sharing: history lines and ``client show`` rows."""

from __future__ import annotations

from .balances import describes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


def _permissions(perms: list[str]) -> str:
    return f"permissions: {', '.join(perms)}" if perms else "no permissions"


def _ended_shares(event: Mapping[str, Any]) -> str:
    parts = []
    for cp_id in event.get("ends_shares", []):
        owner = cp_id.rsplit(".p", 1)[0]
        user = event["other"] if owner == event["client"] else event["client"]
        parts.append(f"{cp_id} no longer shared with {user}")
    return "".join(f"; {p}" for p in parts)


def _kept(event: Mapping[str, Any]) -> str:
    kept = event.get("kept_bookings", [])
    if not kept:
        return ""
    verb = "keeps its draw" if len(kept) == 1 else "keep their draws"
    return f"; {', '.join(kept)} {verb}"


@describes("related")
def _related(event: Mapping[str, Any]) -> str:
    a, b = event["client"], event["other"]
    verb = "linked" if event.get("new", True) else "changed the link between"
    return f"{verb} {a} and {b}: {a} is {b}'s {event['as']} ({_permissions(event['can'])})" + _ended_shares(event) + _kept(event)


@describes("unrelated")
def _unrelated(event: Mapping[str, Any]) -> str:
    return f"ended the link between {event['client']} and {event['other']}" + _ended_shares(event) + _kept(event)


@describes("shared")
def _shared(event: Mapping[str, Any]) -> str:
    return f"{event['client_package']} shared with {event['with']}"


@describes("unshared")
def _unshared(event: Mapping[str, Any]) -> str:
    return f"{event['client_package']} no longer shared with {event['with']}" + _kept(event)


def relation_rows(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The client's links (ended ones too), each seen from this client, by the other's id."""
    rows = []
    for other, link in sorted(view.get("relations", {}).items()):
        rows.append({
            "client": other,
            "as": link["as"],
            "they_are": link["they_are"],
            "can": list(link["can"]),
            "they_can": list(link["they_can"]),
            "since": link["since"][:10],
            "ended": link["ended"][:10] if link.get("ended") else None,
        })
    return rows


def relation_text(me: str, row: Mapping[str, Any]) -> str:
    """'ana is leo's parent (permissions: book-for); leo is ana's child (no permissions); since 2026-11-20'."""
    other = row["client"]

    def side(who: str, whose: str, label: str, perms: list[str]) -> str:
        return f"{who} is {whose}'s {label} ({_permissions(perms)})"

    text = f"{side(me, other, row['as'], row['can'])}; {side(other, me, row['they_are'], row['they_can'])}; since {row['since']}"
    if row["ended"]:
        text += f"; ended {row['ended']}"
    return text


def ended_record(event: Mapping[str, Any], views: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What ending a link, a permission or a share changed, for JSON output:
    the shares it ended and the future bookings that keep drawing on them."""
    kept = []
    for booking_id in event.get("kept_bookings", []):
        attendee = booking_id.rsplit(".b", 1)[0]
        booking = views[attendee]["bookings"][booking_id]
        kept.append({"id": booking_id, "attendee": attendee, "start": booking["start"], "package": booking["package"]})
    ended = event.get("ends_shares") or ([event["client_package"]] if event["type"] == "unshared" else [])
    return {"ended_shares": list(ended), "kept_bookings": kept}


def ended_lines(event: Mapping[str, Any], views: Mapping[str, Mapping[str, Any]], tz: Any) -> list[str]:
    """The same in words: one line per ended share, one per booking that
    stays (its time in the practice's zone ``tz``, as ``guards.when_text``)."""
    from ..domain.guards import when_text

    record = ended_record(event, views)
    lines = []
    if event["type"] != "unshared":
        for cp_id in record["ended_shares"]:
            owner = cp_id.rsplit(".p", 1)[0]
            user = event["other"] if owner == event["client"] else event["client"]
            lines.append(f"{cp_id} is no longer shared with {user}")
    for b in record["kept_bookings"]:
        lines.append(f"{b['id']} on {when_text(b['start'], tz)} still draws on {b['package']}: it stays unless cancelled "
                     f"('sessionpack cancel {b['id']}') or unlinked ('sessionpack unlink {b['id']}')")
    return lines
