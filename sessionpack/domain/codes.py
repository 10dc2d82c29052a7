"""Access codes: an unguessable code per client package (SPEC rule 14).

A code is 160 random bits from ``secrets``, written as 32 base-32 letters
and digits in groups of four (easy to read out and type; case, spaces and
dashes are ignored when it is entered). Only its SHA-256 hash is recorded:
the code itself is shown once, at sale or at reset, and cannot be read back
from the data directory. Hashes are compared with ``hmac.compare_digest``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

CODE_BYTES = 20  # 160 bits


def new_code(raw: bytes | None = None) -> str:
    """A fresh code like ``K7QF-3MZP-...`` (``raw`` fixes the bytes for tests)."""
    data = secrets.token_bytes(CODE_BYTES) if raw is None else raw
    text = base64.b32encode(data).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def normalise(code: str) -> str:
    """The code as typed, without case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def code_hash(code: str) -> str:
    """The recorded form of a code (hex SHA-256 of its normalised text)."""
    return hashlib.sha256(normalise(code).encode("utf-8")).hexdigest()


def matches(code: str, recorded_hash: str | None) -> bool:
    """Whether ``code`` is the one whose hash was recorded, in constant time."""
    if not recorded_hash:
        return False
    return hmac.compare_digest(code_hash(code).encode("ascii"), recorded_hash.encode("ascii"))
