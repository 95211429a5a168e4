"""Fixtures for the dataset tests: the validated dataset, the shipped bundle, the reference.

The reference facts live in ``../shared/reference`` beside the repository (CI checks it
out there); tests that need them skip when the folder is absent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from entitlements_db import build

SHARED_REFERENCE = build.REPO_ROOT.parent / "shared" / "reference"


def _reference(name: str) -> Any:
    path = SHARED_REFERENCE / name
    if not path.is_file():
        pytest.skip(f"run the tests from a checkout with ../shared beside it, as CI does ({path} is missing)")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def dataset() -> build.Dataset:
    """Every data file, validated (a DataError here names the first bad file)."""
    return build.load_dataset()


@pytest.fixture(scope="session")
def shipped_bundle() -> dict[str, Any]:
    return json.loads(build.BUNDLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def real_keys(dataset: build.Dataset) -> set[str]:
    return {e.key for e in dataset.entitlements}


@pytest.fixture(scope="session")
def apple_reference() -> list[dict[str, Any]]:
    return _reference("apple-entitlements.json")


@pytest.fixture(scope="session")
def apple_mentions() -> list[dict[str, Any]]:
    """Keys Apple names outside the entitlement pages, with where."""
    return _reference("apple-entitlements-mentioned.json")


@pytest.fixture(scope="session")
def hallucinations() -> dict[str, Any]:
    return _reference("hallucinations.json")
