"""Access codes: an unguessable code per client package (rule 14 of docs/rules.md).

A code is 160 random bits from the operating system's cryptographic
source (``os.urandom``, what ``secrets.token_bytes`` reads), written as 32 base-32 letters
and digits in groups of four (easy to read out and type; case, spaces and
dashes are ignored when it is entered). Only its SHA-256 hash is recorded:
the code itself is shown once, at sale or at reset, and cannot be read back
from the data directory. Hashes are compared with ``hmac.compare_digest``.

Looking a code up always takes the same steps -- hash it, find the client
package recorded with that hash, compare the hashes in constant time --
whether the code is right, wrong, malformed or replaced by a reset, so the
answer to a wrong code never says which of these it was.
"""

from __future__ import annotations

import os

from .ledger import handles
from .text import check_reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import date
    from typing import Any, Callable, Mapping

def __getattr__(name: str) -> Any:
    """``codes.hmac``: the module ``matches`` compares with, imported when first
    needed (reading a balance never loads it)."""
    if name == "hmac":
        import hmac

        return hmac
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CODE_BYTES = 20  # 160 bits
NO_SUCH_CODE = "no client package has this access code; check it, or ask the practice for a new one"
_NO_HASH = "0" * 64  # compared against when no package has the code, so every path compares


_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648's alphabet
_PAIRS: list[str] | None = None  # every two letters, by their 10 bits (made on first use)


def new_code(raw: bytes | None = None) -> str:
    """A fresh code like ``K7QF-3MZP-...`` (``raw`` fixes the bytes for tests)."""
    data = os.urandom(CODE_BYTES) if raw is None else raw
    if len(data) % 5 == 0:
        # Base 32 of whole 40-bit groups is 5 bits a letter, no padding: what
        # ``base64.b32encode`` writes, without importing base64 and binascii;
        # a group of 4 letters is 20 bits, two letters at a time from a table
        # (a file of sales makes ten thousand codes).
        global _PAIRS
        if _PAIRS is None:
            _PAIRS = [a + b for a in _BASE32 for b in _BASE32]
        pairs, number = _PAIRS, int.from_bytes(data, "big")
        return "-".join([pairs[(number >> (shift + 10)) & 1023] + pairs[(number >> shift) & 1023]
                         for shift in range(len(data) * 8 - 20, -1, -20)])
    import base64

    text = base64.b32encode(data).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def normalise(code: str) -> str:
    """The code as typed, without case, spaces or dashes."""
    return code.upper().replace(" ", "").replace("-", "").replace("\t", "")


def code_hash(code: str) -> str:
    """The recorded form of a code (hex SHA-256 of its normalised text).

    Any text hashes, even text no code could be (a lone surrogate from a
    badly encoded command line included): a malformed code is simply one
    that matches nothing.
    """
    return _sha256()(normalise(code).encode("utf-8", "surrogatepass")).hexdigest()


def _sha256():  # type: ignore[no-untyped-def]
    """SHA-256: the interpreter's own module when it has one, the same digest
    without loading OpenSSL through ``hashlib`` (a few ms of every ``sell``)."""
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # Python 3.12 and later
        except ImportError:
            from hashlib import sha256
    return sha256


def matches(code: str, recorded_hash: str | None) -> bool:
    """Whether ``code`` is the one whose hash was recorded, in constant time.

    With no recorded hash (no package has the code, or one sold before codes
    existed) the comparison still runs, against a hash no code has.
    """
    import hmac

    expected = recorded_hash if recorded_hash else _NO_HASH
    same = hmac.compare_digest(code_hash(code).encode("ascii"), expected.encode("ascii", "replace"))
    return same and bool(recorded_hash)


def find_package(
    code: str,
    owner_of: Callable[[str], str | None],
    view_of: Callable[[str], Mapping[str, Any] | None],
) -> tuple[Mapping[str, Any], Mapping[str, Any]] | None:
    """(owner's view, client package) that ``code`` opens, or None.

    ``owner_of(hash)`` names the client package recorded with a hash (the
    store's index); ``view_of(client)`` loads a client's view. The recorded
    hash is compared with the code's before anything is returned.
    """
    cp_id = owner_of(code_hash(code))
    view = view_of(cp_id.rsplit(".p", 1)[0]) if cp_id else None
    pkg = view.get("packages", {}).get(cp_id) if view and cp_id else None
    if not matches(code, pkg.get("code_hash") if pkg else None) or view is None or pkg is None:
        return None
    return view, pkg


def reset(pkg: Mapping[str, Any], new_hash: str, reason: str | None = None, today: date | None = None) -> dict[str, Any]:
    """The ``code-reset`` event: ``new_hash`` replaces the package's code.

    The old code stops working as soon as the event is recorded. A package
    sold before codes existed gets its first code this way. ``today``: the
    day it is recorded on, never before the package began.
    """
    if today is not None:
        from .dating import check_not_before

        check_not_before(pkg, today)
    return {
        "type": "code-reset",
        "clients": [pkg["owner"]],
        "client_package": pkg["id"],
        "code_hash": new_hash,
        "reason": check_reason(reason),
    }


@handles("code-reset")
def _code_reset(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    view["packages"][event["client_package"]]["code_hash"] = event["code_hash"]
