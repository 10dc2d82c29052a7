"""A hash of a whole directory tree, to show that a command changed nothing."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


def tree_hash(root: Path) -> str:
    """SHA-256 over every entry under ``root``: its relative path, its kind
    and mode, and the bytes of a file or the target of a link."""
    digest = hashlib.sha256()
    for here, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(here, name)
            info = os.lstat(path)
            digest.update(os.path.relpath(path, root).encode("utf-8", "surrogateescape") + b"\0")
            digest.update(f"{stat.S_IFMT(info.st_mode)}:{stat.S_IMODE(info.st_mode):o}\0".encode())
            if stat.S_ISLNK(info.st_mode):
                digest.update(os.readlink(path).encode("utf-8", "surrogateescape"))
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
            digest.update(b"\0")
    return digest.hexdigest()
