"""How many files each sharded view folder holds, as the index records it.

A shard file exists only while it has an entry, so a missing file reads as
"nothing there". A file deleted by hand would then let a command decide on
too little: sell a reference again, book over a session, never expire the
packages of an open shard. ``views/index.json`` therefore records, under
``files``, how many files each of these folders holds after every commit;
a command that finds a shard file missing, or lists a folder, counts the
folder against it once, and a difference is damage (exit 3) before
anything is recorded. ``check`` compares the counts too.
"""

from __future__ import annotations

import os

from ..errors import DataDirError
from . import layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable

# key in the index -> (folder, the suffix of its files)
FOLDERS: dict[str, tuple[str, str]] = {
    "codes": (layout.CODES, ".json"),
    "days": (os.path.join(layout.VIEWS, "days"), ".jsonl"),
    "invoices": (layout.INVOICES, ".json"),
    "open": (layout.OPEN, ".jsonl"),
    "pending": (os.path.join(layout.VIEWS, "pending"), ".jsonl"),
    "refs": (layout.REFS, ".json"),
    "value": (os.path.join(layout.VIEWS, "value"), ".jsonl"),
}
_KEY_OF_FOLDER = {folder: key for key, (folder, _) in FOLDERS.items()}


def folder_key(folder: str) -> str:
    """The key of a shard folder (``views/pending`` -> ``pending``)."""
    return _KEY_OF_FOLDER[folder]


def key_of(name: str) -> str | None:
    """The folder key of a view file (relative path), or None when it is not a counted shard file."""
    folder, base = os.path.split(name)
    key = _KEY_OF_FOLDER.get(folder)
    if key is None or not base.endswith(FOLDERS[key][1]) or base.startswith("."):
        return None
    return key


def count(root: str, key: str) -> int:
    """The shard files folder ``key`` holds now."""
    folder, suffix = FOLDERS[key]
    try:
        names = os.listdir(os.path.join(root, folder))
    except FileNotFoundError:
        return 0
    return sum(1 for n in names if n.endswith(suffix) and not n.startswith("."))


def counts(root: str) -> dict[str, int]:
    """Every folder's count, as on disk now."""
    return tally(listed(root))


def listed(root: str) -> set[str]:
    """Every counted shard file on disk now (relative paths)."""
    found: set[str] = set()
    for folder, suffix in FOLDERS.values():
        try:
            names = os.listdir(os.path.join(root, folder))
        except FileNotFoundError:
            continue
        found.update(os.path.join(folder, n) for n in names if n.endswith(suffix) and not n.startswith("."))
    return found


def after(root: str, files: dict[str, bytes | None]) -> dict[str, int]:
    """The counts once ``files`` (name -> bytes, None: removed) are written
    over the files on disk now (a read that folds the journal's tail in memory)."""
    names = listed(root)
    for name, data in files.items():
        (names.add if data is not None else names.discard)(name)
    return tally(names)


def tally(names: Iterable[str]) -> dict[str, int]:
    """The counts of a set of view files (relative paths) that are to exist."""
    found = dict.fromkeys(FOLDERS, 0)
    for name in names:
        key = key_of(name)
        if key is not None:
            found[key] += 1
    return found


def moved(before: dict[str, int], files: dict[str, bytes | None], existed: dict[str, bool]) -> dict[str, int]:
    """The counts after writing ``files`` (name -> bytes, None: removed) over
    ``before``; ``existed``: whether each was on disk before."""
    after = dict(before)
    for name, data in files.items():
        key = key_of(name)
        if key is None:
            continue
        if data is None and existed[name]:
            after[key] -= 1
        elif data is not None and not existed[name]:
            after[key] += 1
    return after


def recorded(index: dict[str, object]) -> dict[str, int] | None:
    """The counts an index records, or None (an index without them, or damaged)."""
    files = index.get("files")
    if not isinstance(files, dict) or set(files) != set(FOLDERS):
        return None
    if not all(type(n) is int and n >= 0 for n in files.values()):
        return None
    return files  # type: ignore[return-value]


def differs(key: str, found: int, expected: int) -> DataDirError:
    folder = FOLDERS[key][0]
    return DataDirError(
        f"{folder}/ holds {found} file(s) where {layout.INDEX} records {expected}: view files were deleted or added "
        "by hand; rebuild the views with 'sessionpack check --rebuild' (nothing was changed)"
    )


__all__ = ["FOLDERS", "after", "folder_key", "count", "counts", "differs", "key_of", "listed", "moved", "recorded", "tally"]
