"""The practice as an action reads it: inside one transaction, each thing once.

Client views, the client directory, the catalog and the reference index
are read when first asked for and kept for the rest of the action, so a
file of 10,000 rows reads each client's view and each catalog file once.
Nothing here writes.
"""

from __future__ import annotations

from datetime import date, datetime

from ..domain.expiry import local_date
from ..errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable


_HEAVY = frozenset({"packages", "bookings", "events"})


class Practice:
    def __init__(self, opened: Any, tx: Any) -> None:
        self.opened = opened
        self.tx = tx
        self.currency: str = opened.settings.currency
        self.tz = opened.settings.tz
        self.now: datetime = opened.now
        self.today: date = local_date(opened.now, opened.settings.tz)
        self._views: dict[str, dict[str, Any] | None] = {}
        self._directory: dict[str, Any] | None = None
        self._services: dict[str, Any] | None = None
        self._packages: dict[str, Any] = {}
        self._terms: dict[str, dict[str, Any]] = {}

    def use_directory(self) -> None:
        """Ask the directory which clients exist (one file) rather than
        looking for each client's view: for requests naming many clients."""
        self.directory()

    def client(self, client_id: str) -> dict[str, Any] | None:
        """What a plan reads of a recorded client's view (id already checked):
        its record, counters and links, without its packages, bookings and
        history (a file naming thousands of clients keeps only this); or None."""
        if client_id not in self._views:
            if self._directory is not None and client_id not in self._directory:
                return None
            view = self.tx.client(client_id)
            if view is None or view.get("client") is None:
                self._views[client_id] = None
            else:
                self._views[client_id] = {key: value for key, value in view.items() if key not in _HEAVY}
        return self._views[client_id]

    def counters_left(self, client_ids: list[str]) -> dict[str, dict[str, int]]:
        """For clients not recorded now: the id counters of those that were
        once (added, then undone), whose ids stay given out. Many are looked
        for in one listing of the client views, not one file each."""
        import os

        from ..storage.layout import CLIENT_VIEWS

        if len(client_ids) > 32:
            present = set(os.listdir(os.path.join(self.opened.root, CLIENT_VIEWS)))
            client_ids = [cid for cid in client_ids if f"{cid}.json" in present]
        found = {}
        for client_id in client_ids:
            view = self.tx.client(client_id)
            if view is not None:
                found[client_id] = dict(view["counters"])
        return found

    def directory(self) -> dict[str, dict[str, Any]]:
        """Every recorded client: id -> name, email, tags."""
        if self._directory is None:
            self._directory = self.opened.load_directory()["clients"]
        return self._directory

    def client_exists(self, client_id: str) -> bool:
        if self._directory is not None or len(self._views) > 50:
            return client_id in self.directory()
        return self.client(client_id) is not None

    def package(self, package_id: str) -> Any:
        """The catalog package (id already checked), or InputError naming the fix."""
        if package_id not in self._packages:
            from ..storage.catalog import load_package, load_services

            if self._services is None:
                self._services = load_services(self.opened.root, self.currency)
            self._packages[package_id] = load_package(self.opened.root, self.currency, package_id, self._services)
        package = self._packages[package_id]
        if package is None:
            raise InputError(f"no package {package_id!r}; see 'sessionpack package list --all'")
        return package

    def regular_prices(self, package: Any) -> dict[str, Any] | None:
        """The regular net prices of a fixed mix's services at the sale (they
        weigh its valuation); None for other packages."""
        if package.contents.kind != "fixed" or len(package.contents.sessions) < 2:
            return None
        if self._services is None:
            from ..storage.catalog import load_services

            self._services = load_services(self.opened.root, self.currency)
        return {sid: self._services[sid].price for sid, _ in package.contents.sessions if sid in self._services}

    def terms(self, package: Any) -> dict[str, Any]:
        """``package.terms()``, computed once per package (never changed)."""
        if package.id not in self._terms:
            self._terms[package.id] = package.terms()
        return self._terms[package.id]

    def invoice_series(self) -> Any:
        """The practice's invoice numbers (``sales.InvoiceSeries``), as the sold view keeps them."""
        from ..domain.sales import InvoiceSeries

        return InvoiceSeries.of(self.opened.load_sold())

    def references(self, refs: Iterable[str]) -> dict[str, list[list[Any]]]:
        """reference -> [[client, client package, what its sale recorded], ...] for those recorded."""
        from ..storage.shards import ref_holders

        return ref_holders(self.opened.view_bytes, refs)

    def invoices(self, numbers: Iterable[str]) -> dict[str, list[list[Any]]]:
        """invoice number -> [[client, client package, {"date": sale date}], ...] for those recorded."""
        from ..storage.shards import INVOICES, ref_holders

        return ref_holders(self.opened.view_bytes, numbers, INVOICES)
