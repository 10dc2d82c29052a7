"""A memo of what the hand-edited TOML files say: ``cache/parsed.json``.

Every command reads ``settings.toml``, and a booking or a sale reads the
catalog (``services/*.toml``, ``packages/*.toml``). Python's TOML reader
costs each of them more to import than the rest of the reading; this memo
spares it. It holds, for each file, its exact text and what that text
parses to::

    {"format": 2, "files": {"settings.toml": {"text": "...", "data": {...}, "check": "..."}}}

A parse is used only for a file whose text is, character for character,
the text recorded beside it, and whose entry is whole: each entry keeps a
check (``digest``) over the text and the canonical bytes of its parse,
so a parse edited by hand is not the one the check was made of, and is
never used. Any edit (of the file or of its entry), or a file the memo
does not know, is parsed again. So the memo can be stale, damaged or
missing without changing what any command sees: it is then only slower. Commands that
only read never write it; a command that recorded something adds, after
its commit and under the exclusive lock, the parses it had to make (only
of files whose parse is plain JSON: a file holding a TOML date is always
parsed). It may be deleted at any time. ``check`` reports a memo that
gives a file's current text another parse than that text has (a hand edit
of the memo); ``check --rebuild`` makes it anew.
"""

from __future__ import annotations

import os

from .. import jsontext
from . import layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT = 2  # (1 had no check: such a memo is ignored, and made anew by the next command that records)
# The check is the number the bytes spell, modulo this prime (2**127 - 25): a
# fingerprint any edit changes, computed by the interpreter's own integers
# in a few microseconds. A hash module would cost every command its import
# (about half a millisecond), a good part of what the memo saves.
_PRIME = (1 << 127) - 25
_MEMOS: dict[str, dict[str, Any]] = {}  # data directory -> files in the memo on disk
_MADE: dict[str, dict[str, dict[str, Any]]] = {}  # data directory -> parses made by this process


def _memo(root: str) -> dict[str, Any]:
    memo = _MEMOS.get(root)
    if memo is None:
        from .fsio import read_bytes

        memo = {}
        try:
            record = jsontext.loads(read_bytes(os.path.join(root, layout.PARSED)))
            if isinstance(record, dict) and record.get("format") == FORMAT and isinstance(record.get("files"), dict):
                memo = record["files"]
        except Exception:  # noqa: BLE001 - missing, damaged, a link: no memo, parse the files
            memo = {}
        _MEMOS[root] = memo
    return memo


def digest(text: str, data: Any) -> str:
    """The check of a memo entry: over the file's text (its length first,
    so no text can end where another begins) and the canonical bytes of
    what it parses to. It catches an entry edited by hand, not a forgery
    (whoever can write the memo can write the TOML file itself)."""
    raw = text.encode("utf-8")
    whole = b"%d:" % len(raw) + raw + jsontext.canonical_bytes(data)
    return format(int.from_bytes(whole, "big") % _PRIME, "x")


def _entry(text: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"text": text, "data": data, "check": digest(text, data)}


def lookup(root: str, name: str, text: str) -> dict[str, Any] | None:
    """What ``name`` (relative path) parses to, if the memo has this exact
    text and the entry's check holds."""
    entry = _memo(root).get(name)
    if isinstance(entry, dict) and entry.get("text") == text and isinstance(entry.get("data"), dict):
        try:
            whole = entry.get("check") == digest(text, entry["data"])
        except (ValueError, TypeError, RecursionError):  # (JSON read back always encodes; belt and braces)
            whole = False
        if whole:
            return entry["data"]  # type: ignore[no-any-return]
    return None


def _plain(value: Any) -> bool:
    """Whether ``value`` comes back from JSON exactly as it is."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    if kind is float:
        return value == value and value not in (float("inf"), float("-inf"))
    return kind in (str, int, bool) or value is None


def remember(root: str, name: str, text: str, data: dict[str, Any]) -> None:
    """A parse this process made, for ``save`` to add to the memo."""
    if _plain(data):
        _MADE.setdefault(root, {})[name] = _entry(text, data)


def save(root: str) -> None:
    """Under the exclusive lock, after a commit: add this process's new
    parses to the memo (dropping files that no longer exist). Failing to
    write it is no problem of the data: it is a memo."""
    made = _MADE.pop(root, None)
    if not made:
        return
    files = {name: entry for name, entry in _memo(root).items() if os.path.exists(os.path.join(root, name))}
    changed = False
    for name, entry in made.items():
        if files.get(name) != entry:
            files[name] = entry
            changed = True
    if not changed:
        return
    write(root, files)


def write(root: str, files: dict[str, Any]) -> None:
    from ..errors import SessionpackError
    from .fsio import atomic_write, make_dir

    data = (jsontext.canonical({"format": FORMAT, "files": files}) + "\n").encode("utf-8")
    try:
        make_dir(os.path.join(root, layout.CACHE))
        atomic_write(os.path.join(root, layout.PARSED), data)
    except (SessionpackError, OSError):
        return
    _MEMOS[root] = files


def wrong_entries(root: str) -> list[str]:
    """Files whose current text the memo records with another parse (a
    hand-edited or forged memo): what ``check`` reports. A stale entry
    (the file changed since) is not wrong: it is simply not used."""
    from .fsio import read_bytes
    from .tomlfile import parse_text

    _MEMOS.pop(root, None)
    wrong = []
    for name, entry in sorted(_memo(root).items()):
        try:
            text = read_bytes(os.path.join(root, name)).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if not isinstance(entry, dict) or entry.get("text") != text:
            continue
        try:
            data = parse_text(text)
        except Exception:  # noqa: BLE001 - the file itself is reported by check
            data = None
        if data != entry.get("data"):
            wrong.append(name)
    return wrong


def make(root: str) -> None:
    """The memo of every TOML file of the data directory, made anew (what
    ``check --rebuild`` leaves; files that do not parse are left out)."""
    from .fsio import read_bytes
    from .tomlfile import parse_text

    names = [layout.SETTINGS]
    for folder in (layout.SERVICES, layout.PACKAGES):
        try:
            names += [f"{folder}/{n}" for n in sorted(os.listdir(os.path.join(root, folder))) if n.endswith(".toml") and not n.startswith(".")]
        except OSError:
            continue
    files: dict[str, Any] = {}
    for name in names:
        try:
            text = read_bytes(os.path.join(root, name)).decode("utf-8")
            data = parse_text(text)
        except Exception:  # noqa: BLE001 - check reports such a file; the memo just leaves it out
            continue
        if _plain(data):
            files[name] = _entry(text, data)
    _MADE.pop(root, None)
    write(root, files)
