"""Client links (relationship and permissions) and per-package sharing (rule 12 of docs/rules.md).

A link is read in one direction: ``relate A B --as parent`` says "A is B's
parent"; B is then A's child (the inverse label). Each side holds its own
permissions regarding the other:

- ``book-for``: may book and manage sessions for the other;
- ``use-packages``: may use the other's packages (those the other shares);
- ``notices``: receives copies of the other's notices.

Both client views keep the link under ``relations[OTHER]``, seen from that
client: ``as`` (what I am to OTHER), ``they_are`` (what OTHER is to me),
``can`` (my permissions regarding OTHER), ``they_can`` (OTHER's regarding
me), ``since``, ``updated``, ``ended`` and ``reason``.

A client package is shared per package (``shared`` / ``unshared`` events),
only with a linked client who holds ``use-packages`` regarding the owner.
Removing that permission or ending the link ends the shares it allowed.
Ending never touches the past: bookings already drawing on the package keep
their draws; the commands list the future ones.
"""

from __future__ import annotations

from datetime import date, datetime

from .text import check_reason  # noqa: F401  (re-exported: the one rule for every --reason)
from ..errors import InputError, RuleError
from .dating import check_not_before
from .datetimes import utc_text
from .ledger import handles

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping

LABELS = ("parent", "child", "partner", "guardian", "ward", "sibling", "grandparent", "grandchild", "other")
INVERSE = {
    "parent": "child", "child": "parent",
    "guardian": "ward", "ward": "guardian",
    "grandparent": "grandchild", "grandchild": "grandparent",
    "partner": "partner", "sibling": "sibling", "other": "other",
}
PERMISSIONS = ("book-for", "use-packages", "notices")


def check_label(label: str) -> str:
    if label not in INVERSE:
        raise InputError(f"--as {label!r} is not a relationship: use one of {', '.join(LABELS)}")
    return label


def check_permissions(values: Iterable[str]) -> list[str]:
    chosen: set[str] = set()
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item not in PERMISSIONS:
                raise InputError(f"--can {item!r} is not a permission: use book-for, use-packages or notices")
            chosen.add(item)
    return [p for p in PERMISSIONS if p in chosen]





# -- reading links ------------------------------------------------------------


def active_link(view: Mapping[str, Any], other: str) -> Mapping[str, Any] | None:
    """The link between the view's client and ``other``, if it has not ended."""
    link = view.get("relations", {}).get(other)
    return link if link and not link.get("ended") else None


def may(view: Mapping[str, Any], other: str, permission: str) -> bool:
    """Whether the view's client holds ``permission`` regarding ``other``."""
    link = active_link(view, other)
    return bool(link) and permission in link["can"]


def notice_copies(view: Mapping[str, Any]) -> list[str]:
    """Linked clients who receive copies of this client's notices."""
    return sorted(o for o in view.get("relations", {}) if active_link(view, o) and "notices" in view["relations"][o]["they_can"])


def shared_and_linked(user_view: Mapping[str, Any], owner_view: Mapping[str, Any] | None, cp_id: str) -> bool:
    """``cp_id`` is shared with the user AND the user may use the owner's packages."""
    if owner_view is None:
        return False
    pkg = owner_view["packages"].get(cp_id)
    return (pkg is not None and user_view["id"] in pkg.get("shared_with", [])
            and may(user_view, owner_view["id"], "use-packages"))


def relate_command(user: str, owner: str, link: Mapping[str, Any] | None) -> str:
    """The exact command that lets ``user`` use ``owner``'s packages (seen from the owner)."""
    label = link["they_are"] if link else "other"
    perms = check_permissions([*(link["they_can"] if link else []), "use-packages"])
    return f"sessionpack client relate {user} {owner} --as {label} " + " ".join(f"--can {p}" for p in perms)


def check_may_share(owner_view: Mapping[str, Any], user: str) -> None:
    """Refuse (exit 1) unless ``user`` is linked to the owner with use-packages."""
    owner = owner_view["id"]
    link = active_link(owner_view, user)
    if link and "use-packages" in link["they_can"]:
        return
    if link:
        raise RuleError(f"{user} is {owner}'s {link['they_are']} but may not use {owner}'s packages; "
                        f"run '{relate_command(user, owner, link)}' first")
    raise RuleError(f"{user} is not linked to {owner} with permission to use {owner}'s packages; "
                    f"run '{relate_command(user, owner, None)}' first (any --as label fits)")


def future_bookings(user_view: Mapping[str, Any], cp_ids: Iterable[str], now: datetime) -> list[dict[str, Any]]:
    """The user's booked sessions after ``now`` that draw on one of ``cp_ids``."""
    wanted = set(cp_ids)
    out = []
    for booking in user_view["bookings"].values():
        if (booking.get("package") in wanted and booking["status"] == "booked"
                and datetime.fromisoformat(booking["start"]) > now):
            out.append({"id": booking["id"], "start": booking["start"], "package": booking["package"]})
    return sorted(out, key=lambda b: (utc_text(b["start"]), int(b["id"].rsplit(".b", 1)[1])))  # (as they happen)


def _shares_between(owner_view: Mapping[str, Any], user: str) -> list[str]:
    found = [cp for cp, pkg in owner_view["packages"].items() if user in pkg.get("shared_with", [])]
    return sorted(found, key=lambda c: int(c.rsplit(".p", 1)[1]))


# -- events --------------------------------------------------------------------


def _check_pair(a_view: Mapping[str, Any], b_view: Mapping[str, Any]) -> None:
    if a_view["id"] == b_view["id"]:
        raise InputError(f"a client cannot be linked to themselves: name two different clients, not {a_view['id']} twice")


def relate(a_view: Mapping[str, Any], b_view: Mapping[str, Any], label: str, can: Iterable[str], now: datetime) -> dict[str, Any]:
    """The ``related`` event: A is B's ``label``; ``can`` are A's permissions regarding B.

    A new link, or a change of an active one (label, or A's permissions; B's
    stay). Taking use-packages away from A ends the shares of B's packages
    with A (listed in ``ends_shares``; ``kept_bookings`` are A's future
    bookings that still draw on them).
    """
    _check_pair(a_view, b_view)
    a, b = a_view["id"], b_view["id"]
    check_label(label)
    perms = check_permissions(can)
    link = active_link(a_view, b)
    if link and link["as"] == label and link["can"] == perms:
        granted = ", ".join(perms) if perms else "no permissions"
        raise RuleError(f"{a} is already {b}'s {label} with {granted}; nothing to change (see 'sessionpack client show {a}')")
    ends = _shares_between(b_view, a) if link and "use-packages" not in perms else []
    return {
        "type": "related",
        "clients": [a, b],
        "client": a,
        "other": b,
        "as": label,
        "inverse": INVERSE[label],
        "can": perms,
        "new": link is None,
        "ends_shares": ends,
        "kept_bookings": [x["id"] for x in future_bookings(a_view, ends, now)],
    }


def unrelate(a_view: Mapping[str, Any], b_view: Mapping[str, Any], now: datetime, reason: str | None = None) -> dict[str, Any]:
    """The ``unrelated`` event: the link ends both ways, and every share it allowed."""
    _check_pair(a_view, b_view)
    a, b = a_view["id"], b_view["id"]
    if active_link(a_view, b) is None:
        raise RuleError(f"{a} and {b} are not linked; see 'sessionpack client show {a}'")
    a_shares, b_shares = _shares_between(a_view, b), _shares_between(b_view, a)
    ends = a_shares + b_shares
    kept = future_bookings(b_view, a_shares, now) + future_bookings(a_view, b_shares, now)
    event: dict[str, Any] = {
        "type": "unrelated",
        "clients": [a, b],
        "client": a,
        "other": b,
        "ends_shares": ends,
        "kept_bookings": [x["id"] for x in kept],
    }
    if reason:
        event["reason"] = reason
    return event


def _client_package(owner_view: Mapping[str, Any], cp_id: str) -> Mapping[str, Any]:
    pkg = owner_view["packages"].get(cp_id)
    if pkg is None:
        raise InputError(f"no client package {cp_id!r}; see 'sessionpack balance {owner_view['id']}'")
    return pkg


def _check_not_owner(owner: str, user: str, cp_id: str) -> None:
    if owner == user:
        raise InputError(f"{owner} owns {cp_id}; name another client to share it with")


def share(owner_view: Mapping[str, Any], user_view: Mapping[str, Any], cp_id: str, today: date | None = None) -> dict[str, Any]:
    """The ``shared`` event: ``user``'s bookings may draw on ``cp_id`` from now on
    (``today``: the day it is recorded on, never before the package began)."""
    owner, user = owner_view["id"], user_view["id"]
    pkg = _client_package(owner_view, cp_id)
    _check_not_owner(owner, user, cp_id)
    if today is not None:
        check_not_before(pkg, today)
    if user in pkg.get("shared_with", []):
        raise RuleError(f"{cp_id} is already shared with {user}; nothing to change (see 'sessionpack balance {user}')")
    state = pkg.get("status", "active")
    if state in ("cancelled", "refunded"):
        raise RuleError(f"{cp_id} is {state}: only a package in use can be shared; sell or assign {owner} a new one to share")
    check_may_share(owner_view, user)
    return {"type": "shared", "clients": [owner, user], "client_package": cp_id, "with": user}


def unshare(owner_view: Mapping[str, Any], user_view: Mapping[str, Any], cp_id: str, now: datetime,
            reason: str | None = None, today: date | None = None) -> dict[str, Any]:
    """The ``unshared`` event: ``user``'s future bookings no longer draw on ``cp_id``.

    Bookings already made keep their draws (listed in ``kept_bookings``
    when still to come): cancel or unlink them to give the sessions back.
    """
    owner, user = owner_view["id"], user_view["id"]
    pkg = _client_package(owner_view, cp_id)
    _check_not_owner(owner, user, cp_id)
    if today is not None:
        check_not_before(pkg, today)
    if user not in pkg.get("shared_with", []):
        with_whom = ", ".join(pkg.get("shared_with", [])) or "no one"
        raise RuleError(f"{cp_id} is not shared with {user} (shared with: {with_whom}); nothing to change")
    event: dict[str, Any] = {
        "type": "unshared",
        "clients": [owner, user],
        "client_package": cp_id,
        "with": user,
        "kept_bookings": [x["id"] for x in future_bookings(user_view, [cp_id], now)],
    }
    if reason:
        event["reason"] = reason
    return event


# -- folding into views ------------------------------------------------------------


def _end_shares(view: dict[str, Any], me: str, other: str, cp_ids: Iterable[str]) -> None:
    """Drop shares between ``me`` and ``other`` from my side (as owner or user)."""
    for cp_id in cp_ids:
        if cp_id.rsplit(".p", 1)[0] == me:
            pkg = view["packages"].get(cp_id)
            if pkg is not None and other in pkg.get("shared_with", []):
                pkg["shared_with"] = [c for c in pkg["shared_with"] if c != other]
        else:
            view.get("shared_in", {}).pop(cp_id, None)


@handles("related")
def _related(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    mine = event["client"] == me
    other = event["other"] if mine else event["client"]
    link = view["relations"].get(other)
    if link is None or link.get("ended"):
        link = view["relations"][other] = {
            "with": other, "as": None, "they_are": None, "can": [], "they_can": [],
            "since": event["at"], "updated": event["at"], "ended": None, "reason": None,
        }
    link["as"], link["they_are"] = (event["as"], event["inverse"]) if mine else (event["inverse"], event["as"])
    link["can" if mine else "they_can"] = list(event["can"])
    link["updated"] = event["at"]
    _end_shares(view, me, other, event.get("ends_shares", []))


@handles("unrelated")
def _unrelated(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    other = event["other"] if event["client"] == me else event["client"]
    link = view["relations"][other]
    link["ended"] = event["at"]
    link["reason"] = event.get("reason")
    _end_shares(view, me, other, event.get("ends_shares", []))


@handles("shared")
def _shared(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    cp_id, user = event["client_package"], event["with"]
    if me == user:
        view.setdefault("shared_in", {})[cp_id] = event["clients"][0]
    else:
        pkg = view["packages"][cp_id]
        pkg["shared_with"] = sorted({*pkg.get("shared_with", []), user})


@handles("unshared")
def _unshared(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    user = event["with"]
    _end_shares(view, me, user if me != user else event["clients"][0], [event["client_package"]])
