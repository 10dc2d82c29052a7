"""Every event type's handler lives in the module the ledger's table names."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from sessionpack.domain import ledger

DOMAIN = Path(ledger.__file__).parent


def test_every_handled_type_is_in_the_table_and_the_table_is_right() -> None:
    declared: dict[str, str] = {}
    for path in sorted(DOMAIN.glob("*.py")):
        for group in re.findall(r'@handles\(([^)]*)\)', path.read_text()):
            for name in re.findall(r'"([a-z-]+)"', group):
                declared[name] = path.stem
    in_ledger = {name for name, module in declared.items() if module == "ledger"}
    assert in_ledger == {"client-added", "client-edited"}
    assert {k: v for k, v in declared.items() if v != "ledger"} == ledger.HANDLER_MODULES
    for event_type, module in ledger.HANDLER_MODULES.items():
        importlib.import_module(f"sessionpack.domain.{module}")
        assert ledger._CLIENT_HANDLERS[event_type].__module__ == f"sessionpack.domain.{module}"
