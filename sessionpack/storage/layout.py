"""Where things live in a data directory, and how a directory is resolved."""

from __future__ import annotations

import os

from ..domain.ids import check_slug

SETTINGS = "settings.toml"
JOURNAL = "journal.jsonl"
LOCK = "lock"
SERVICES = "services"
PACKAGES = "packages"
VIEWS = "views"
CLIENT_VIEWS = os.path.join(VIEWS, "clients")
INDEX = os.path.join(VIEWS, "index.json")
# A commit of thousands of clients: its client views' new files, written by
# a second process while this one works out the shards, before they are
# renamed into place (storage/shared_fold.py); gone when the commit ends.
STAGED = os.path.join(CLIENT_VIEWS, ".staged")
DIRECTORY = os.path.join(VIEWS, "directory.json")
SOLD = os.path.join(VIEWS, "sold.json")
OPEN = os.path.join(VIEWS, "open")  # XX.jsonl: open client packages, by a hash of the owner
CODES = os.path.join(VIEWS, "codes")  # XX.json: access-code hash -> client package
REFS = os.path.join(VIEWS, "refs")  # XX.json: sale reference -> client package, what its sale recorded
INVOICES = os.path.join(VIEWS, "invoices")  # XX.json: invoice number -> client package, the sale's date
LEGACY_CHECKPOINT = os.path.join(VIEWS, "checkpoint.json")  # older versions kept the checkpoint here
OUTBOX = os.path.join(VIEWS, "outbox.json")  # notices to deliver, failed ones, where the last notify run stopped
NOTIFY_LOCK = "notify.lock"  # held by a running 'notify' (its deliveries), never deleted
TEMPLATES = "templates"  # notice wording: KIND.txt (optional)
HOOKS = "hooks"
TORN = "torn"
CACHE = "cache"  # what may be deleted at any time: made again, only slower meanwhile
PARSED = os.path.join(CACHE, "parsed.json")  # what the TOML files say, for quick starts (storage/parsed.py)
DIRS = (SERVICES, PACKAGES, VIEWS, CLIENT_VIEWS, HOOKS, TORN)  # OPEN, CODES, REFS and the report views: made when first needed
# What must never be a symbolic link (checked by every command under the lock):
# a link would let a write land outside the data directory.
NO_LINKS = (SETTINGS, JOURNAL, LOCK, SERVICES, PACKAGES, VIEWS, CLIENT_VIEWS, OPEN, CODES, REFS, INVOICES, INDEX, DIRECTORY, SOLD, HOOKS,
            TORN, OUTBOX, NOTIFY_LOCK, TEMPLATES, os.path.join(VIEWS, "days"), os.path.join(VIEWS, "value"),
            os.path.join(VIEWS, "pending"), CACHE, PARSED)
# The folders of views, where a killed command may have left temporary files.
VIEW_DIRS = (VIEWS, CLIENT_VIEWS, OPEN, CODES, REFS, INVOICES, os.path.join(VIEWS, "days"), os.path.join(VIEWS, "value"),
             os.path.join(VIEWS, "pending"))
# Folders of hand-edited or small files whose leftover temporary files every
# write command removes (the views' folders are cleaned when a repair is due).
TEMP_DIRS = ("", SERVICES, PACKAGES, CACHE)


def resolve_data_dir(option: str | None) -> str:
    """``--data-dir`` > ``SESSIONPACK_DATA_DIR`` > the platform's user data dir."""
    if option:
        return os.path.abspath(os.path.expanduser(option))
    env = os.environ.get("SESSIONPACK_DATA_DIR")
    if env:
        return os.path.abspath(os.path.expanduser(env))
    from platformdirs import user_data_dir

    return user_data_dir("sessionpack", appauthor=False)


def client_view_path(root: str, client_id: str) -> str:
    return os.path.join(root, CLIENT_VIEWS, check_slug(client_id, "client") + ".json")


def service_path(root: str, service_id: str) -> str:
    return os.path.join(root, SERVICES, check_slug(service_id, "service") + ".toml")


def package_path(root: str, package_id: str) -> str:
    return os.path.join(root, PACKAGES, check_slug(package_id, "package") + ".toml")


def cache_dir() -> str:
    """The user's cache directory of sessionpack (``SESSIONPACK_CACHE_DIR``,
    default the platform's): what may be deleted at any time, kept outside
    every data directory (the checkpoint of ``check``, the names completion
    reads)."""
    folder = os.environ.get("SESSIONPACK_CACHE_DIR")
    if folder:
        return os.path.abspath(os.path.expanduser(folder))
    import sys

    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        # platformdirs' rule for these systems, without importing it (it loads
        # pathlib and more: longer than a completion's own work at each Tab)
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not base.strip() or not os.path.isabs(base):  # (a relative one is ignored, as the XDG rules say)
            base = os.path.expanduser("~/.cache")
        return os.path.join(base, "sessionpack")
    from platformdirs import user_cache_dir

    return user_cache_dir("sessionpack", appauthor=False)
