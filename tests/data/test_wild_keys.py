"""data/wild-keys.yaml: every key seen in public entitlements files has one class, and the
class agrees with the rest of the dataset (docs/data-guide.md, "Keys seen in the wild")."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from pydantic import ValidationError

from entitlements_db import build, models
from entitlements_db.database import Database


def _listing(items: list[str]) -> str:
    return "\n" + "\n".join(f"  {item}" for item in items)


def _class_in_data(dataset: build.Dataset, key: str) -> str:
    """Where the dataset (not the wild-key list) puts a key; "unresolved" if nowhere."""
    entitlement = next((e for e in dataset.entitlements if e.key == key), None)
    if entitlement is not None:
        return "deprecated" if entitlement.deprecated else "real"
    if any(n.key == key for n in dataset.non_existent):
        return "non-existent"
    if any(p.key == key for p in dataset.profile_keys.keys):
        return "profile-owned"
    internal = dataset.apple_internal
    if any(k.key == key for k in internal.keys) or any(key.startswith(p.prefix) for p in internal.prefixes):
        return "apple-internal"
    if any(k.key == key for k in dataset.info_plist_keys.keys):
        return "info-plist"
    return "unresolved"


def test_every_key_has_a_valid_class(dataset: build.Dataset) -> None:
    assert dataset.wild_keys.keys, "the sweep found no keys"
    assert {k.class_ for k in dataset.wild_keys.keys} <= set(models.WILD_CLASSES)


def test_keys_are_sorted_unique_and_counted(dataset: build.Dataset) -> None:
    keys = [k.key for k in dataset.wild_keys.keys]
    assert keys == sorted(set(keys))
    assert all(k.count >= 1 for k in dataset.wild_keys.keys)


def test_class_agrees_with_the_data(dataset: build.Dataset) -> None:
    wrong = []
    for wild in dataset.wild_keys.keys:
        in_data = _class_in_data(dataset, wild.key)
        if wild.class_ != in_data:
            wrong.append(f"{wild.key}: classed {wild.class_}, the data says {in_data}")
    assert not wrong, _listing(wrong)


def test_non_existent_keys_have_a_real_or_info_plist_replacement(dataset: build.Dataset) -> None:
    real = {e.key for e in dataset.entitlements}
    by_key = {n.key: n for n in dataset.non_existent}
    broken = []
    for wild in dataset.wild_keys.keys:
        if wild.class_ != "non-existent":
            continue
        for r in by_key[wild.key].replacements:
            if r.kind == "entitlement" and r.key not in real:
                broken.append(f"{wild.key}: replacement {r.key} is not real")
    assert not broken, _listing(broken)


def test_unresolved_keys_are_few_and_explained(dataset: build.Dataset) -> None:
    unresolved = [k for k in dataset.wild_keys.keys if k.class_ == "unresolved"]
    assert len(unresolved) <= max(10, len(dataset.wild_keys.keys) // 10), "keep the unresolved class small"
    assert all(k.note for k in unresolved)


def test_unresolved_keys_are_listed_in_the_data_guide(dataset: build.Dataset) -> None:
    guide = (build.REPO_ROOT / "docs" / "data-guide.md").read_text(encoding="utf-8")
    section = guide.split("## Keys seen in the wild", 1)[-1]
    missing = [k.key for k in dataset.wild_keys.keys if k.class_ == "unresolved" and f"`{k.key}`" not in section]
    assert not missing, _listing(missing)


def test_the_data_guide_counts_each_class(dataset: build.Dataset) -> None:
    # The guide's table is the published summary of the sweep: it must match the list.
    guide = (build.REPO_ROOT / "docs" / "data-guide.md").read_text(encoding="utf-8")
    section = guide.split("## Keys seen in the wild", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \|[^|\n]*\| (\d+) \|$", section, re.MULTILINE)
    total = re.search(r"^\| \*\*total\*\* \|[^|\n]*\| \*\*(\d+)\*\* \|$", section, re.MULTILINE)
    counts = Counter(k.class_ for k in dataset.wild_keys.keys)
    assert {c: int(n) for c, n in rows} == {c: counts[c] for c in models.WILD_CLASSES}
    assert total is not None and int(total.group(1)) == len(dataset.wild_keys.keys)


def test_non_real_classes_need_a_note() -> None:
    with pytest.raises(ValidationError, match="needs a note"):
        models.WildKey.model_validate({"key": "com.example.key", "count": 1, "class": "non-existent"})


def test_unsorted_lists_are_rejected() -> None:
    rows: list[dict[str, Any]] = [
        {"key": "b.key", "count": 1, "class": "real"},
        {"key": "a.key", "count": 2, "class": "real"},
    ]
    with pytest.raises(ValidationError, match="sorted and unique"):
        models.WildKeys.model_validate({"source": "collected by hand for a test", "keys": rows})


def test_usage_prior_holds_real_keys_only(dataset: build.Dataset, shipped_bundle: dict[str, Any]) -> None:
    usage = shipped_bundle["usage"]
    real = {e.key for e in dataset.entitlements}
    expected = {
        k.key: k.count for k in dataset.wild_keys.keys if k.class_ in build.USAGE_CLASSES and k.key in real
    }
    assert usage == expected
    assert set(usage) <= real
    db = Database(shipped_bundle)
    top = max(usage, key=usage.__getitem__)
    assert db.usage(top) == usage[top] > 0
    invented = next(k.key for k in dataset.wild_keys.keys if k.class_ == "non-existent")
    assert db.usage(invented) == 0


#: Keys Apple mentions outside the entitlement pages that no source settles yet, with why.
UNSETTLED_MENTIONS: dict[str, str] = {}


def test_every_key_apple_mentions_elsewhere_is_classified(
    dataset: build.Dataset, apple_mentions: list[dict[str, Any]]
) -> None:
    # Keys named in Apple's framework docs, forums and archives (not on an entitlement page):
    # a real one left out would be called unknown, so each must have a class in the data.
    apple = [m["key"] for m in apple_mentions if m["source_kind"] != "third_party"]
    unresolved = sorted(k for k in apple if _class_in_data(dataset, k) == "unresolved")
    assert unresolved == sorted(UNSETTLED_MENTIONS), _listing(unresolved)
