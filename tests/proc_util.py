"""Real processes for the tests: the project's environment, and a command
run on a real pseudo-terminal."""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from pathlib import Path


def project_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment, with the project importable from any working directory."""
    import sessionpack

    env = dict(os.environ)
    root = str(Path(sessionpack.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


def run_on_pty(argv: list[str], env: dict[str, str], columns: int = 80, rows: int = 24, timeout: float = 60,
               stdin_text: str | None = None) -> tuple[int, bytes]:
    """(exit code, every byte written to the terminal: stdout and stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = dict(env, COLUMNS=str(columns), LINES=str(rows))
    if "PAGER" not in env:
        env.setdefault("SESSIONPACK_PAGER", "")  # no pager unless a test asks for one
    env.setdefault("TERM", "xterm-256color")
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    if stdin_text is not None:
        os.write(master, stdin_text.encode("utf-8"))
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                raise TimeoutError(f"{argv} did not finish in {timeout} s")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError as err:
                    if err.errno == errno.EIO:  # the other side is closed
                        break
                    raise
                if not chunk:
                    break
                out.extend(chunk)
            elif proc.poll() is not None:
                # drain what is left
                continue
    finally:
        os.close(master)
    return proc.wait(timeout=10), bytes(out)
