"""Problems found in a request or a file: where, what, how to fix it.

A problem is one line, ``FILE:LINE:COLUMN: what; how to fix`` (or
``OPTION``-style for the command line, where there is no file). A plan
collects every problem instead of stopping at the first, like ``check``.
Each carries the exit code of its kind: 2 for bad input, 1 for a request
refused by a rule (a reference recorded with other details, an inactive
package...).
"""

from __future__ import annotations

from ..domain.records import field, record

from ..errors import InputError, RuleError, SessionpackError

# How to fix a cell of a column, added when the message does not say.
FIXES = {
    "client": "write the id of a recorded client (see 'sessionpack client list')",
    "package": "write the id of a package of the catalog (see 'sessionpack package list --all')",
    "price": "write the net price with a '.' for decimals, e.g. 90.50, or leave it empty for the package's price",
    "paid": "write the amount paid with a '.' for decimals (0 if nothing yet), or leave it empty when all was paid",
    "date": "write an ISO date like 2026-03-01",
    "share": "write the ids of linked clients, separated by spaces",
    "expires": "write the last valid day as an ISO date like 2027-03-01",
    "activated": "write the day its clock started as an ISO date like 2026-03-05",
    "id": "write a client id of lower-case letters, digits and hyphens, or leave it empty to make one from the name",
    "name": "write the client's name on one line",
    "email": "write an address like ana@example.com, or leave it empty",
    "phone": "write a number like +351 912 345 678, or leave it empty",
    "tags": "write tags of letters, digits, '-' and '_', separated by spaces or commas",
}


@record
class Problem:
    """One problem: ``line`` and ``column`` of a file (None when not about
    one), what is wrong (with how to fix it), and its exit code."""

    line: int | None
    column: str | None
    what: str
    code: int = 2
    error: Exception | None = field(default=None, compare=False)  # the domain's own error, for a one-request command

    def text(self, source: str | None) -> str:
        where = [part for part in (source, None if self.line is None else str(self.line), self.column) if part]
        return f"{':'.join(where)}: {self.what}" if where else self.what


def problem(line: int | None, column: str | None, err: Exception) -> Problem:
    """A Problem from a domain error, with the fix for its column added when
    the message does not give one (a message has its fix after '; ')."""
    what = str(err)
    fix = FIXES.get((column or "").split(".", 1)[0])
    if fix and "; " not in what and " like " not in what:
        what = f"{what}; {fix}"
    code = err.exit_code if isinstance(err, SessionpackError) else 2
    return Problem(line, column, what, code, err)


def exit_code(problems: list[Problem]) -> int:
    """2 when any problem is bad input; 1 when every one is a refusal by a rule."""
    return 2 if any(p.code != 1 for p in problems) else 1


class ProblemsFound(SessionpackError):
    """Raised by a command whose plan has problems: its ``lines`` are printed
    first, then this one line; nothing was recorded."""

    def __init__(self, problems: list[Problem], source: str | None, columns: list[str] | None = None) -> None:
        if columns:  # a file: by line, then in the order of its columns
            order = {name: i for i, name in enumerate(columns)}
            problems = sorted(problems, key=lambda p: (p.line or 0, order.get(p.column or "", -1 if p.column is None else len(order))))
        self.problems = problems
        self.lines = [p.text(source) for p in problems]
        self.exit_code = exit_code(problems)
        count = len(problems)
        where = f" in {source}" if source else ""
        kind = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {kind}{where}; nothing was recorded: fix {'it' if count == 1 else 'them'} and run the command again")


def first_error(problems: list[Problem]) -> Exception:
    """The first problem as the error of a one-request command: the domain's
    own error and message, as the command line has always shown it."""
    first = problems[0]
    if first.error is not None:
        return first.error
    return (RuleError if first.code == 1 else InputError)(first.what)
