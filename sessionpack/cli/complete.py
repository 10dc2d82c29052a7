"""Shell completion of ids: clients, packages, client packages, bookings, services.

Every argument and option is completed by what it names, known from its
metavar (``CLIENT``, ``CLIENT-PACKAGE``, ``BOOKING``, ``SERVICE``,
``PACKAGE``, and ``ID`` under ``client``, ``service`` and ``package``), so
a command added later is completed without more code. Candidates come
from the small files only: the client directory (``views/directory.json``),
the catalog's file names, and, once a client id and a dot are typed, that
client's own view (its packages, its bookings: those still to come first).
Completion reads without the lock and never writes; anything it cannot
read gives no candidates rather than an error.

The rule of which parameter completes what lives here once
(``completer_name``): Typer's commands get it through ``attach``, and the
quick path of the hot commands (``cli/fast_complete.py``) through the
names its table records. Each completer gives (value, help) pairs.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, Callable, Iterable

LIMIT = 200  # candidates offered at most
CLIENTS_EXPANDED = 20  # a prefix matching at most this many clients lists their packages or bookings


def _root(ctx: Any) -> str:
    from ..storage.layout import resolve_data_dir

    option = ctx.find_root().params.get("data_dir") if ctx is not None else None
    return resolve_data_dir(option)


def _read_json(path: str) -> Any:
    from ..jsontext import loads
    from ..storage.fsio import read_bytes

    try:
        return loads(read_bytes(path))
    except Exception:  # noqa: BLE001 - completion offers nothing rather than failing
        return None


def _items(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(pairs)[:LIMIT]


def _directory(root: str) -> dict[str, Any]:
    data = _read_json(os.path.join(root, "views", "directory.json"))
    return data.get("clients", {}) if isinstance(data, dict) and isinstance(data.get("clients"), dict) else {}


NAMES_MEMO = "sessionpack names 1"


def _names_memo(root: str) -> tuple[str, str]:
    """(the memo file of ``root``'s client names, the first line it must hold)."""
    import zlib

    from ..storage.layout import cache_dir

    real = os.path.realpath(root)
    info = os.stat(os.path.join(root, "views", "directory.json"))
    head = f"{NAMES_MEMO}\t{real}\t{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"
    return os.path.join(cache_dir(), "names", f"{zlib.crc32(real.encode('utf-8', 'surrogateescape')):08x}.txt"), head


def _client_lines(root: str) -> list[str]:
    """One line per client, in id order: ``id TAB name TAB folded name``.

    Read from a memo in the cache directory (outside the data directory,
    like the checkpoint of ``check``) while the directory view is the file
    it was made from (same size, modification time and inode); else made
    from the directory view, and the memo written again. Completion runs
    at every Tab: decoding the whole directory (every email, phone and tag)
    each time took longer than everything else."""
    from ..domain.text import folded_all

    try:
        memo, head = _names_memo(root)
    except (OSError, ValueError, ImportError):
        memo = head = ""
    if memo:
        try:
            with open(memo, encoding="utf-8") as handle:
                first, _, body = handle.read().partition("\n")
            lines = body.split("\n")
            if first == head and lines.pop() == "" and body.count("\t") == 2 * len(lines):
                return lines
        except (OSError, ValueError):
            pass
    entries = sorted(_directory(root).items())
    names = [entry.get("name") if isinstance(entry, dict) and isinstance(entry.get("name"), str) else "" for _, entry in entries]
    lines = [f"{client_id}\t{name}\t{name_folded}" for (client_id, _), name, name_folded in zip(entries, names, folded_all(names))]
    if any("\t" in name or "\n" in name for name in names):  # (names are one line of printable text; a hand-made journal aside)
        return [line for line in lines if line.count("\t") == 2 and "\n" not in line]
    if memo:
        try:
            from ..storage.fsio import atomic_write

            os.makedirs(os.path.dirname(memo), mode=0o700, exist_ok=True)
            atomic_write(memo, (head + "\n" + "".join(line + "\n" for line in lines)).encode("utf-8"))
        except Exception:  # noqa: BLE001 - a memo that cannot be written is only slower next time
            pass
    return lines


def clients(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Client ids starting with what was typed, or one of whose names does
    (``gon`` finds Beatriz Gonçalves: case and accents ignored)."""
    from ..domain.text import folded

    wanted = folded(incomplete)
    found = []
    for line in _client_lines(_root(ctx)):
        if line.startswith(incomplete) or (wanted and wanted in line):
            client_id, name, name_folded = line.split("\t")
            if client_id.startswith(incomplete) or (wanted and any(word.startswith(wanted) for word in name_folded.split())):
                found.append((client_id, name))
    return _items(found)


def _catalog(ctx: Any, folder: str, incomplete: str) -> list[tuple[str, str]]:
    try:
        names = sorted(os.listdir(os.path.join(_root(ctx), folder)))
    except OSError:
        return []
    return _items((name[:-5], "") for name in names if name.endswith(".toml") and not name.startswith(".")
                  and name.startswith(incomplete))


def services(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    return _catalog(ctx, "services", incomplete)


def packages(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    return _catalog(ctx, "packages", incomplete)


def _views_for(ctx: Any, incomplete: str) -> list[dict[str, Any]]:
    """The views of the client named before the dot, or of the few clients
    whose id starts with what was typed."""
    from ..domain.ids import SLUG_RE

    root = _root(ctx)
    if "." in incomplete:
        wanted = [incomplete.split(".", 1)[0]]
    else:
        wanted = [line.split("\t", 1)[0] for line in _client_lines(root) if line.startswith(incomplete)]
        if len(wanted) > CLIENTS_EXPANDED:
            return []
    views = []
    for client_id in wanted:
        if SLUG_RE.match(client_id):
            view = _read_json(os.path.join(root, "views", "clients", f"{client_id}.json"))
            if isinstance(view, dict):
                views.append(view)
    return views


def client_packages(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Client package ids (``ana.p1``), open ones first, with the package's name."""
    found = []
    for view in _views_for(ctx, incomplete):
        owned = view.get("packages", {}) if isinstance(view.get("packages"), dict) else {}
        ordered = sorted(owned.items(), key=lambda kv: (kv[1].get("status", "active") in ("cancelled", "refunded"),
                                                        _number(kv[0])))
        found.extend((cp_id, pkg.get("terms", {}).get("name", "")) for cp_id, pkg in ordered if cp_id.startswith(incomplete))
    return _items(found)


def bookings(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Booking ids (``ana.b3``): those still booked and to come first (soonest
    first), then the other booked ones, then the rest; with when and what."""
    from datetime import datetime

    now = _now(ctx)
    found = []
    for view in _views_for(ctx, incomplete):
        booked = view.get("bookings", {}) if isinstance(view.get("bookings"), dict) else {}

        def order(item: tuple[str, Any]) -> tuple[int, str, int]:
            bid, b = item
            start = b.get("start", "")
            still = b.get("status") == "booked"
            try:
                coming = still and datetime.fromisoformat(start) >= now
            except (TypeError, ValueError):
                coming = False
            return (0 if coming else 1 if still else 2, start if coming else "", _number(bid))

        for bid, b in sorted(booked.items(), key=order):
            if bid.startswith(incomplete):
                found.append((bid, f"{b.get('start', '')[:16].replace('T', ' ')} {b.get('service', '')} {b.get('status', '')}"))
    return _items(found)


def _now(ctx: Any) -> datetime:
    """The clock: ``--now`` / ``SESSIONPACK_NOW`` when given as ISO, else the machine's."""
    from datetime import datetime

    text = (ctx.find_root().params.get("now") if ctx is not None else None) or os.environ.get("SESSIONPACK_NOW", "")
    try:
        value = datetime.fromisoformat(text.strip())
        return value if value.tzinfo else value.astimezone()
    except (ValueError, AttributeError):
        return datetime.now().astimezone()


def _number(item_id: str) -> int:
    tail = item_id.rsplit(".", 1)[-1][1:]
    return int(tail) if tail.isdigit() else 0


def either(*completers: Callable[..., list[tuple[str, str]]]) -> Callable[..., list[tuple[str, str]]]:
    def complete(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for completer in completers:
            out.extend(completer(ctx, incomplete))
        return out[:LIMIT]

    return complete


# Every completer, by name (the quick path's table records these names).
COMPLETERS: dict[str, Callable[..., list[tuple[str, str]]]] = {
    "clients": clients, "client_packages": client_packages, "bookings": bookings, "services": services, "packages": packages,
    "bookings|client_packages": either(bookings, client_packages),
    "client_packages|bookings": either(client_packages, bookings),
    "clients|client_packages": either(clients, client_packages),
    "client_packages|packages": either(client_packages, packages),
}
# What each metavar names; ``ID`` depends on the command group.
BY_METAVAR = {
    "CLIENT": "clients", "[CLIENT]": "clients", "A": "clients", "B": "clients",
    "CLIENT-PACKAGE": "client_packages", "BOOKING": "bookings", "SERVICE": "services", "PACKAGE": "packages",
    "BOOKING|CLIENT-PACKAGE": "bookings|client_packages",
    "BOOKING...": "bookings", "BOOKING...|CLIENT-PACKAGE": "bookings|client_packages",
    "CLIENT-PACKAGE|BOOKING": "client_packages|bookings",
    "CLIENT|CLIENT-PACKAGE": "clients|client_packages",
    "SRC": "packages",
}
ID_BY_GROUP = {"client": "clients", "service": "services", "package": "packages"}
# Options that take an id, by their name.
BY_OPTION = {"--client": "clients", "--share": "clients", "--package": "client_packages|packages",
             "--service": "services", "--count-as": "services"}


def completer_name(metavar: str | None, opts: Iterable[str], group: str | None, command: str | None) -> str | None:
    """The name of the completer of a parameter (``COMPLETERS``), or None."""
    name = BY_METAVAR.get(metavar or "")
    if name is None and metavar in ("ID", "[ID]") and group in ID_BY_GROUP and command not in ("add", "create"):
        name = ID_BY_GROUP[group]
    if name is None:
        for opt in opts:
            name = name or BY_OPTION.get(opt)
    return name


def _for_click(completer: Callable[..., list[tuple[str, str]]]) -> Callable[..., list[Any]]:
    """A completer as Click calls it, giving Click's completion items."""
    def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        from typer._click.shell_completion import CompletionItem

        return [CompletionItem(value, help=help_text or None) for value, help_text in completer(ctx, incomplete)]

    return complete


def attach(command: Any, group: str | None = None) -> None:
    """Give each id-taking parameter of ``command`` (and its subcommands) its completer."""
    for sub_name, sub in (getattr(command, "commands", None) or {}).items():
        attach(sub, sub_name if group is None else group)
    for param in getattr(command, "params", []):
        name = completer_name(getattr(param, "metavar", None), getattr(param, "opts", []), group, command.name)
        if name is not None and getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = _for_click(COMPLETERS[name])
