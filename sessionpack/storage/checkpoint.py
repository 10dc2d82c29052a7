"""The checkpoint: what the last clean check (or rebuild) proved.

It lives outside the data directory, in the user's cache directory
(``SESSIONPACK_CACHE_DIR``, default the platform's user cache directory,
``~/.cache/sessionpack`` on Linux), one file per data directory named by a
hash of its real path: ``check`` only reads the data directory, so it never
writes a byte there, and a cache may be deleted at any time.

It records the journal position it covers (``offset``, ``seq``), the
CRC-32 of the journal's bytes up to there, and for every view file its size,
modification time, inode and CRC-32, plus the text of the two small
whole-practice views (directory and sales count) that the incremental check
folds new events onto. Like the views it is derived and may be deleted at
any time: the next ``check`` then replays everything.

Why CRC-32: it reads 209 MiB in under 0.1 s (SHA-256: 0.2-0.3 s) and
catches any accidental change (with the length, any burst of up to 32 bits
for certain, anything else but for one chance in four billion). A
cryptographic hash would add nothing against a deliberate edit: whoever can
rewrite the journal can rewrite this file too.

Only a journal of ``SESSIONPACK_FULL_CHECK_BELOW`` bytes (default 4 MiB,
some ten thousand events) or more gets a checkpoint: below that a full
replay takes well under a second and ``check`` always does it.
"""

from __future__ import annotations

import json
import os
import zlib

from ..domain import ledger
from ..errors import InputError
from . import layout
from .fsio import atomic_write, make_dir, read_bytes
from .small_views import NAMES as SMALL_NAMES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

VERSION = 1  # of this file's layout
DIGEST = "crc32"
FULL_CHECK_BELOW = 4 * 1024 * 1024


def full_check_below() -> int:
    text = os.environ.get("SESSIONPACK_FULL_CHECK_BELOW", "")
    if not text:
        return FULL_CHECK_BELOW
    try:
        value = int(text)
        if value < 0:
            raise ValueError
    except ValueError:
        raise InputError(f"SESSIONPACK_FULL_CHECK_BELOW must be a number of bytes (0 or more), not {text!r}") from None
    return value


def worth_keeping(journal_size: int) -> bool:
    """Whether a journal this large is checked incrementally (and so gets a checkpoint)."""
    return journal_size >= full_check_below()


class Digest:
    """CRC-32, fed piece by piece."""

    def __init__(self, value: int = 0) -> None:
        self.value = value

    def update(self, data: bytes | memoryview) -> None:
        self.value = zlib.crc32(data, self.value)

    def hexdigest(self) -> str:
        return f"{self.value:08x}"


def digest_of(data: bytes) -> str:
    return f"{zlib.crc32(data):08x}"


def stat_key(stat: os.stat_result) -> list[int]:
    """What says a file was not touched since: size, modification time, inode."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


class Checkpoint:
    """A checkpoint in memory: journal position and digest, view files, small views."""

    def __init__(self, offset: int, seq: int, journal: str, files: dict[str, list[Any]], small: dict[str, str]) -> None:
        self.offset = offset
        self.seq = seq
        self.journal = journal
        self.files = files  # relative path -> [size, mtime_ns, inode, digest]
        self.small = small  # small views (small_views) -> their text (absent: no such file yet)

    @classmethod
    def start(cls, replayed: Any) -> "Checkpoint":
        """An empty record for the end of a full replay (files are added as they are proved)."""
        return cls(replayed.offset, replayed.seq, replayed.digest.hexdigest(), {}, {})

    def add_file(self, name: str, stat: os.stat_result, data: bytes) -> None:
        self.files[name] = stat_key(stat) + [digest_of(data)]
        if name in SMALL_NAMES:
            self.small[name] = data.decode("utf-8")

    def encode(self) -> bytes:
        record = {
            "checkpoint": VERSION, "format": ledger.VIEW_FORMAT, "digest": DIGEST,
            "offset": self.offset, "seq": self.seq, "journal": self.journal,
            "files": self.files, "small": self.small,
        }
        return (json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")

    def save(self, root: str) -> None:
        path = location(root)
        folder = os.path.dirname(path)
        os.makedirs(os.path.dirname(folder), mode=0o700, exist_ok=True)
        make_dir(folder)
        atomic_write(path, self.encode())


def location(root: str) -> str:
    """The checkpoint file of the data directory ``root``."""
    import hashlib

    key = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(layout.cache_dir(), "checkpoints", key + ".json")


def forget(root: str) -> None:
    try:
        os.unlink(location(root))
    except FileNotFoundError:
        pass


def load(root: str) -> Checkpoint | str:
    """The checkpoint, or why there is none to use."""
    try:
        raw = read_bytes(location(root))
    except FileNotFoundError:
        return "no checkpoint from an earlier check"
    try:
        record = json.loads(raw)
        if record.get("checkpoint") != VERSION or record.get("format") != ledger.VIEW_FORMAT or record.get("digest") != DIGEST:
            return "the checkpoint was written by another version of sessionpack"
        checkpoint = Checkpoint(record["offset"], record["seq"], record["journal"], record["files"], record["small"])
        if not (isinstance(checkpoint.offset, int) and isinstance(checkpoint.seq, int) and isinstance(checkpoint.journal, str)
                and isinstance(checkpoint.files, dict) and isinstance(checkpoint.small, dict)):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return "the checkpoint is damaged"
    return checkpoint


__all__ = ["Checkpoint", "Digest", "digest_of", "load", "stat_key", "worth_keeping"]
