"""Validate single data files against the schema: python scripts/check_entries.py FILE..."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from entitlements_db import models  # noqa: E402
from entitlements_db.build import DataError, _validate  # noqa: E402

FOLDERS = {"entitlements": models.Entitlement, "non-existent": models.NonExistent}

failed = 0
for name in sys.argv[1:]:
    path = Path(name)
    model = FOLDERS.get(path.parent.name)
    if model is None:
        print(f"{path}: not in data/entitlements or data/non-existent")
        failed += 1
        continue
    try:
        entry = _validate(path, model)
        if entry.key != path.stem:
            raise DataError(f"{path}: file name does not match key {entry.key!r}")
        if "TODO" in path.read_text():
            raise DataError(f"{path}: still has a TODO")
    except DataError as exc:
        print(exc)
        failed += 1
print(f"{len(sys.argv) - 1 - failed} ok, {failed} failed")
sys.exit(1 if failed else 0)
