"""The catalog in TOML: ``services/ID.toml`` and ``packages/ID.toml``.

One file per service or package, named by its id, so a person can edit one
without touching the others and a command that changes one rewrites only
that file (in canonical form; comments in that file are not kept). A
mistake in a hand-edited file is reported with file, line and fix, and the
command writes nothing.
"""

from __future__ import annotations

import os

from ..domain.ids import is_slug
from ..domain.services import Service, service_from_mapping
from ..errors import CatalogProblem, FieldError, InputError, SessionpackError
from . import layout
from .tomlfile import field_problem, read_toml

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable


def _ids_in(root: str, folder: str, problems: list[str] | None) -> list[str]:
    directory = os.path.join(root, folder)
    ids = []
    for name in sorted(os.listdir(directory)):
        if name.startswith(".") or not name.endswith(".toml"):
            continue
        stem = name[: -len(".toml")]
        if not is_slug(stem):
            problem = CatalogProblem(f"{folder}/{name}", None, "the file name is not a valid id", "rename it to lower-case letters, digits and hyphens")
            if problems is None:
                raise problem
            problems.append(str(problem))
            continue
        ids.append(stem)
    return ids


def _load_one(root: str, folder: str, item_id: str, parse: Callable[[str, dict[str, Any]], Any]) -> Any:
    display = f"{folder}/{item_id}.toml"
    data, text = read_toml(os.path.join(root, folder, f"{item_id}.toml"), display, root=root)
    try:
        return parse(item_id, data)
    except FieldError as err:
        raise field_problem(display, text, err) from None
    except InputError as err:
        raise CatalogProblem(display, None, str(err), "fix it and run the command again") from None


def _load_all(root: str, folder: str, parse, problems: list[str] | None,  # type: ignore[no-untyped-def]
              unreadable: set[str] | None = None) -> dict[str, Any]:
    """Every item of ``folder``; with ``problems`` given, a file that cannot
    be read or is wrong is one problem (its id added to ``unreadable``), and
    the other files are read as usual."""
    items: dict[str, Any] = {}
    for item_id in _ids_in(root, folder, problems):
        try:
            items[item_id] = _load_one(root, folder, item_id, parse)
        except SessionpackError as err:  # (a mistake in it, or a file that cannot be read: a folder, no permission)
            if problems is None:
                raise
            problems.append(str(err))
            if unreadable is not None:
                unreadable.add(item_id)
    return items


def load_services(root: str, currency: str, problems: list[str] | None = None,
                  unreadable: set[str] | None = None) -> dict[str, Service]:
    """Every service; with ``problems`` given, collect errors instead of
    raising (and the ids of the files with one in ``unreadable``)."""
    return _load_all(root, layout.SERVICES, lambda sid, data: service_from_mapping(sid, data, currency), problems,
                     unreadable)


def load_service(root: str, currency: str, service_id: str) -> Service | None:
    if not os.path.exists(layout.service_path(root, service_id)):
        return None
    return _load_one(root, layout.SERVICES, service_id, lambda sid, data: service_from_mapping(sid, data, currency))


def service_text(service: Service) -> bytes:
    """A service as its file holds it (canonical TOML)."""
    import tomli_w

    return tomli_w.dumps(service.to_mapping()).encode("utf-8")


def save_service(tx: Any, service: Service) -> None:
    """Write ``services/ID.toml`` and record the change (``Transaction.write_catalog``)."""
    tx.write_catalog(f"{layout.SERVICES}/{service.id}.toml", service_text(service))


def load_packages(root: str, currency: str, services: dict[str, Service], problems: list[str] | None = None) -> dict[str, Any]:
    from ..domain.packages import package_from_mapping

    return _load_all(root, layout.PACKAGES, lambda pid, data: package_from_mapping(pid, data, currency, services), problems)


def load_package(root: str, currency: str, package_id: str, services: dict[str, Service]) -> Any:
    from ..domain.packages import package_from_mapping

    if not os.path.exists(layout.package_path(root, package_id)):
        return None
    return _load_one(root, layout.PACKAGES, package_id, lambda pid, data: package_from_mapping(pid, data, currency, services))


def package_text(package: Any) -> bytes:
    """A package as its file holds it (canonical TOML)."""
    import tomli_w

    return tomli_w.dumps(package.to_mapping()).encode("utf-8")


def save_package(tx: Any, package: Any) -> None:
    """Write ``packages/ID.toml`` and record the change (``Transaction.write_catalog``)."""
    tx.write_catalog(f"{layout.PACKAGES}/{package.id}.toml", package_text(package))
