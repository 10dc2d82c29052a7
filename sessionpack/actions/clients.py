"""New clients: one path for ``client add``, ``client add --csv`` and the
clients ``sell --csv --create-clients`` creates.

``plan_clients`` takes requests as typed and returns a ``ClientPlan``: the
``client-added`` events, one output row per request (``created`` or
``unchanged``) and every problem with its line and column. The rules:

- each field is checked as ``client add`` checks it (``domain.clients``);
- an id that is recorded with the same details is *unchanged* (nothing is
  recorded); with other details it is a *conflict* (refused, exit 1), never
  an update: ``client edit`` changes a client. Only the details a request
  gives are compared (an empty cell is not a detail);
- without an id, one is made from the name as ``client add`` makes it
  (``ana-lima``, then ``ana-lima-2``...). With ``match_details`` (a file,
  which must be safe to run again) a client recorded under one of those
  ids with exactly the details given is that client, *unchanged*; two rows
  of a file that would be the same client are refused: give ids;
- an id given twice in a file is refused.

``look_alikes`` finds the new clients of a plan whose name or email another
client has, for the warning every front end gives of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..domain import clients as rules
from ..domain.ids import check_slug
from ..domain.services import check_name
from ..errors import InputError, RuleError
from .problems import Problem, problem

if TYPE_CHECKING:
    from .csvtable import Row

COLUMNS = ("id", "name", "email", "phone", "tags", "notes")
REQUIRED = ("name",)
DETAILS = ("name", "email", "phone", "notes", "tags")
_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class ClientRequest:
    """One client as typed; None: not given. ``labels`` name the fields in
    messages (a column of another name, e.g. ``client`` for the id)."""

    id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] | None = None
    line: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def request_from_row(row: Row) -> ClientRequest:
    cells = row.cells
    tags = cells.get("tags")
    return ClientRequest(id=cells.get("id", "").strip() or None, name=cells.get("name"), email=cells.get("email"),
                         phone=cells.get("phone"), notes=cells.get("notes"),
                         tags=None if tags is None else tuple(t for t in _SPLIT.split(tags.strip()) if t), line=row.line)


@dataclass
class ClientRow:
    line: int | None
    id: str
    status: str  # created | unchanged
    name: str
    event: dict[str, Any] | None = field(default=None, repr=False)

    def record(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "status": self.status, "name": self.name}


@dataclass
class ClientPlan:
    rows: list[ClientRow] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def created_rows(self) -> list[ClientRow]:
        return [row for row in self.rows if row.status == "created"]


def _details(req: ClientRequest, add: Callable[[str, Exception], None]) -> dict[str, Any] | None:
    """The details a request gives, checked (None when one is wrong)."""
    out: dict[str, Any] = {}
    ok = True
    checks: dict[str, Callable[[Any], Any]] = {
        "name": lambda v: check_name(v, "client name"),
        "email": rules.check_email, "phone": rules.check_phone, "notes": rules.check_notes,
        "tags": lambda v: rules.check_tags(list(v)),
    }
    for name in DETAILS:
        value = getattr(req, name)
        if value is None:
            continue
        try:
            out[name] = checks[name](value)
        except InputError as err:
            add(name, err)
            ok = False
    return out if ok else None


def _differences(recorded: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    found = []
    for name in DETAILS:
        if name in given and given[name] != (recorded.get(name) if name != "tags" else sorted(recorded.get("tags") or [])):
            was, now = recorded.get(name), given[name]
            if name == "tags":
                was, now = ", ".join(was or []) or "none", ", ".join(now) or "none"
            found.append(f"{name} {was!r}, not {now!r}")
    return found


def plan_clients(practice: Any, requests: list[ClientRequest], *, match_details: bool, create_only_missing: bool = False,
                 progress: Callable[[int], None] | None = None) -> ClientPlan:
    """Check every request and plan its ``client-added`` event.

    ``create_only_missing`` (for ``sell --create-clients``): a request for a
    recorded client only compares the details it gives, and one for a new
    client needs a name.
    """
    plan = ClientPlan()
    taken: dict[str, tuple[int | None, Mapping[str, Any]]] = {}  # ids this plan uses -> (line, details given)

    def recorded_details(client_id: str, given: Mapping[str, Any]) -> dict[str, Any]:
        entry = dict(practice.directory().get(client_id) or {})
        if "phone" in given or "notes" in given:
            view = practice.client(client_id) or {}
            entry.update({k: (view.get("client") or {}).get(k) for k in ("phone", "notes")})
        return entry

    for number, req in enumerate(requests, start=1):
        if progress is not None:
            progress(number)

        def add(name: str, err: Exception, req: ClientRequest = req) -> None:
            plan.problems.append(problem(req.line, req.label(name), err))

        client_id = req.id
        if client_id is not None:
            try:
                check_slug(client_id, "client")
            except InputError as err:
                add("id", err)
                client_id = None
                if req.name is None:
                    continue
        if req.name is None and not (create_only_missing and client_id is not None and practice.client_exists(client_id)):
            what = f"client {client_id!r} is not recorded; give its name to create it" if create_only_missing else "the name is missing; every client needs one"
            add("name", InputError(f"{what}"))
            continue
        if client_id is not None:
            if client_id in taken:
                add("id", InputError(f"client {client_id!r} is also on line {taken[client_id][0]}; give each client one row"))
                continue
            taken[client_id] = (req.line, {})
        given = _details(req, add)
        if given is None or (req.id is not None and client_id is None):
            continue
        if client_id is not None:
            taken[client_id] = (req.line, given)
            if practice.client_exists(client_id):
                differs = _differences(recorded_details(client_id, given), given)
                if differs:
                    add("id", RuleError(f"client {client_id!r} already exists with other details ({'; '.join(differs)}); "
                                        f"change it with 'sessionpack client edit {client_id}'"))
                    continue
                plan.rows.append(ClientRow(req.line, client_id, "unchanged", practice.directory().get(client_id, {}).get("name", given.get("name", ""))))
                continue
        else:
            client_id, same = _id_from_name(practice, given, taken, match_details, recorded_details)
            if client_id in taken:
                add("name", InputError(f"this is the same client as line {taken[client_id][0]}; give each client an id "
                                       "(the id column) to add two clients of the same name and details"))
                continue
            taken[client_id] = (req.line, given)
            if same:
                plan.rows.append(ClientRow(req.line, client_id, "unchanged", given["name"]))
                continue
        event = rules.add_client(client_id, given)
        plan.events.append(event)
        plan.rows.append(ClientRow(req.line, client_id, "created", event["client"]["name"], event))
    if any(req.line is not None for req in requests):
        plan.problems.sort(key=lambda p: p.line or 0)
    return plan


def _id_from_name(practice: Any, given: Mapping[str, Any], taken: Mapping[str, tuple[Any, Mapping[str, Any]]],
                  match_details: bool, recorded_details: Callable[[str, Mapping[str, Any]], Mapping[str, Any]]) -> tuple[str, bool]:
    """(id, True when it is a recorded client with these details) for a
    request without an id: the first of ``ana-lima``, ``ana-lima-2``... that
    is free, or with ``match_details`` that is recorded with the same details
    (or taken by an earlier row with them: the caller refuses that)."""
    base = rules.choose_client_id(given["name"], lambda candidate: False)
    number = 1
    candidate = base
    while True:
        if candidate in taken:
            if match_details and taken[candidate][1] == given:
                return candidate, False
        elif practice.client_exists(candidate):
            if match_details and not _differences(recorded_details(candidate, given), given):
                return candidate, True
        else:
            return candidate, False
        number += 1
        candidate = f"{base}-{number}"


def look_alikes(directory: Mapping[str, Mapping[str, Any]], rows: list[ClientRow]) -> list[tuple[ClientRow, str]]:
    """(row, "ana already has the name 'Ana Lima'") for each new client of a
    plan whose name (case and accents ignored) or email another client has,
    recorded before or new on an earlier row: the warning ``client add``
    gives of one, for ``client add --csv`` and the clients ``sell --csv
    --create-clients`` adds alike. ``directory`` (id -> name, email) may be
    read after the commit: the new clients in it are left out."""
    from ..domain.clients import Alikes

    new = {row.id for row in rows}
    alikes = Alikes({cid: entry for cid, entry in directory.items() if cid not in new})
    found = []
    for row in rows:
        record = row.event["client"]  # (a created row has its event)
        found.extend((row, text) for text in alikes.of(record["name"], record["email"], me=record["id"]))
        alikes.add(record["id"], record)
    return found


__all__ = ["COLUMNS", "ClientPlan", "ClientRequest", "ClientRow", "look_alikes", "plan_clients", "request_from_row"]
