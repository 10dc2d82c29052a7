"""Work done in a forked process, its result sent back through a pipe.

The views of different clients are made independently of each other, so
where there are many (the full replay of ``check``, a commit of a file of
ten thousand sales) a second process shares the work: ``fork`` starts it
on a copy of this process (nothing is sent to it: it sees what this
process holds), ``collect`` reads back its pickled answer, or raises here
the exception it met, as if met here.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable


class WorkerLost(RuntimeError):
    """A worker process that ended without an answer (killed, say)."""


def _end_with(parent: int) -> None:
    """In a worker: have the kernel kill it when the command that forked it
    ends (Linux's ``PR_SET_PDEATHSIG``), so that a command killed while its
    worker runs never leaves it holding the data directory's lock (the lock
    file's descriptor is the worker's too) or writing there; if the command
    ended before the request, end now. Elsewhere the worker ends when it
    finds its answer cannot be written."""
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0) != 0:  # PR_SET_PDEATHSIG, SIGKILL
            return
    except (OSError, AttributeError, ImportError):
        return
    if os.getppid() != parent:
        os._exit(1)


def _start(child: Callable[[int], int]) -> tuple[int, int]:
    """Fork a worker that runs ``child(write end of a pipe)`` and leaves,
    without cleanup, with the exit code it returns; (pid, read end)."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:  # (no process to be had: the caller decides what then)
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:
        code = 1
        try:
            _end_with(parent)
            os.close(read_end)
            code = child(write_end)
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _outcome(work: Callable[..., Any], *args: Any) -> tuple[Any, int]:
    """What a worker sends back last: ("ok", what ``work(*args)`` returned),
    or the exception it raised, for the parent to raise (``_rebuilt_error``);
    and the worker's exit code."""
    try:
        return ("ok", work(*args)), 0
    except BaseException as err:  # noqa: BLE001 - handed to the parent, which raises it
        return ("error", type(err).__module__, type(err).__qualname__, err.args, dict(vars(err))), 1


def fork(work: Callable[[], Any]) -> tuple[int, int]:
    """Run ``work`` in a forked process; (pid, pipe) to ``collect`` its result."""
    import pickle

    def child(write_end: int) -> int:  # do the work, send back the result
        outcome, code = _outcome(work)
        with os.fdopen(write_end, "wb", buffering=1 << 20) as pipe:
            pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)  # written as it is made
        return code

    return _start(child)


class PartsWorker:
    """A worker that hands over its answer in parts (``fork_parts``): each
    part but the last is written to a file (so that the worker never waits
    for this process to read it) and named on the pipe; ``receive`` reads
    the next one, ``end`` waits for the worker to end (killing it first
    when its answer is no longer wanted)."""

    __slots__ = ("pid", "_pipe", "_ended")

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self._pipe: Any = os.fdopen(read_end, "rb")
        self._ended = False

    def receive(self) -> Any:
        """The next part (the worker's exception raised here; WorkerLost when
        it ended without it)."""
        import pickle

        try:
            outcome = pickle.load(self._pipe)
        except (EOFError, pickle.UnpicklingError, OSError, ValueError):
            outcome = None
        if outcome is None:
            self.end()
            raise WorkerLost("a worker process ended without an answer")
        if outcome[0] == "error":
            self.end()
            raise _rebuilt_error(*outcome[1:])
        if outcome[0] == "part":
            with open(outcome[1], "rb") as handle:
                part = pickle.load(handle)
            os.unlink(outcome[1])
            return part
        self.end()
        return outcome[1]

    def end(self, kill: bool = False) -> None:
        if self._ended:
            return
        self._ended = True
        if kill:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        self._pipe.close()
        os.waitpid(self.pid, 0)


def fork_parts(work: Callable[[Callable[[Any], None]], Any], folder: str) -> PartsWorker:
    """Run ``work(hand_over)`` in a forked process: ``hand_over(part)`` writes
    a part of its answer to a file in ``folder`` (which the work makes) and
    names it on the pipe; what ``work`` returns is the last part. Read them
    in order with ``PartsWorker.receive``."""
    import pickle

    def child(write_end: int) -> int:
        import signal

        # A Ctrl-C is the command's to handle (it stops this worker if it
        # stops before its commit); once the commit began, the views
        # this worker writes are still wanted.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        pipe = os.fdopen(write_end, "wb", buffering=1 << 20)
        parts = [0]

        def hand_over(part: Any) -> None:
            parts[0] += 1
            path = os.path.join(folder, f".part-{parts[0]}.pickle")
            with open(path, "wb") as handle:
                pickle.dump(part, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(("part", path), pipe, protocol=pickle.HIGHEST_PROTOCOL)
            pipe.flush()

        outcome, code = _outcome(work, hand_over)
        with pipe:
            pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        return code

    return PartsWorker(*_start(child))


def collect(worker: tuple[int, int]) -> Any:
    """The result of a ``fork``ed worker (its exception raised here)."""
    import pickle

    pid, read_end = worker
    try:
        with os.fdopen(read_end, "rb") as pipe:
            outcome = pickle.load(pipe)  # read as it comes: never the whole answer as bytes too
    except (EOFError, pickle.UnpicklingError):
        outcome = None
    finally:
        os.waitpid(pid, 0)
    if outcome is None:
        raise WorkerLost("a worker process ended without an answer")
    if outcome[0] == "error":
        raise _rebuilt_error(*outcome[1:])
    return outcome[1]


def _rebuilt_error(module: str, qualname: str, args: tuple[Any, ...], attributes: dict[str, Any]) -> BaseException:
    """The exception a worker met, made again in this process (same class,
    same message and attributes), so it is reported as if met here."""
    import importlib

    try:
        found: Any = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
        err = found.__new__(found)
        err.args = args
        vars(err).update(attributes)
        return err
    except Exception:  # noqa: BLE001 - a class that cannot be made again: say what it was
        return RuntimeError(f"a worker process failed: {qualname}: {args}")
