"""Fixtures for the linter tests (helpers live in lint_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty temporary directory so no project configuration applies."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
