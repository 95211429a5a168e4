"""docs/export-format.md documents every field the export (the bundle) can carry."""

from __future__ import annotations

import re
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from entitlements_db import build, models

DOC = build.REPO_ROOT / "docs" / "export-format.md"
MODELS = [
    models.Entitlement,
    models.ValueSchema,
    models.Availability,
    models.Absence,
    models.Managed,
    models.Deprecation,
    models.InfoPlistNeed,
    models.Source,
    models.NonExistent,
    models.Replacement,
    models.AppleInternal,
    models.InternalPrefix,
    models.InternalKey,
    models.ProfileKeys,
    models.ProfileKey,
    models.BackgroundModes,
    models.BackgroundMode,
    models.InfoPlistKeys,
    models.InfoPlistKey,
]


def _documented() -> set[str]:
    """Names that appear as code: in `inline code` or in a fenced example."""
    text = DOC.read_text(encoding="utf-8")
    fenced = re.findall(r"```.*?```", text, flags=re.DOTALL)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", " ".join(fenced + inline)))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_field_is_documented(model: type[BaseModel]) -> None:
    documented = _documented()
    assert [f for f in model.model_fields if f not in documented] == []


def test_top_level_and_meta_are_documented(shipped_bundle: dict[str, Any]) -> None:
    documented = _documented()
    assert [k for k in shipped_bundle if k not in documented] == []
    assert [k for k in shipped_bundle["meta"] if k not in documented] == []
    assert [k for k in shipped_bundle["meta"]["counts"] if k not in documented] == []


@pytest.mark.parametrize(
    "literal", [models.Platform, models.Distribution, models.ValueType, models.ReplacementKind]
)
def test_every_enumerated_value_is_documented(literal: Any) -> None:
    documented = _documented()
    assert [v for v in typing.get_args(literal) if v not in documented] == []
