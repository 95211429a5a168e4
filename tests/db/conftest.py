"""Fixtures for the library tests: the shipped database and a way to build variants."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import entitlements_db
from entitlements_db.database import Database, _read_bundle

SHARED_REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"


@pytest.fixture(scope="session")
def db() -> Database:
    return entitlements_db.load()


@pytest.fixture(scope="session")
def raw_bundle() -> dict[str, Any]:
    return json.loads(_read_bundle())


@pytest.fixture
def make_db(raw_bundle: dict[str, Any]) -> Callable[[Callable[[dict[str, Any]], None]], Database]:
    """A fresh Database from a copy of the bundle, after ``edit`` changes the copy."""

    def make(edit: Callable[[dict[str, Any]], None]) -> Database:
        bundle = copy.deepcopy(raw_bundle)
        edit(bundle)
        return Database(bundle)

    return make


@pytest.fixture(scope="session")
def hallucinations() -> dict[str, Any]:
    path = SHARED_REFERENCE / "hallucinations.json"
    if not path.is_file():
        pytest.skip(f"run the tests from a checkout with ../shared beside it, as CI does ({path} is missing)")
    return json.loads(path.read_text(encoding="utf-8"))
