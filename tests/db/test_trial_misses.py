"""Suggestion misses found by trying entlint as a new user (the real-world trial), and the
general fixes behind them: each test names the shape, not one key."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

import entitlements_db
from entitlements_db import models
from entitlements_db.build import _info_plist_only

DATA = Path(__file__).resolve().parents[2] / "data" / "entitlements"


@pytest.fixture(scope="module")
def db() -> entitlements_db.Database:
    return entitlements_db.load()


@pytest.mark.parametrize(("word", "parts"), [
    ("corelocation", ("core", "location")),  # stems to "coreloc", which cannot be cut
    ("backgroundlocation", ("background", "location")),
    ("speechrecognition", ("speech", "recognition")),
])
def test_a_run_together_word_is_cut_before_its_ending_is_stemmed(db: entitlements_db.Database, word: str,
                                                                  parts: tuple[str, ...]) -> None:
    """Why: `com.apple.developer.corelocation` got no suggestion at all."""
    assert db.feature_index().normalise(word) == parts


@pytest.mark.parametrize(("key", "platform", "kind", "first"), [
    ("com.apple.developer.corelocation", "iOS", "none", None),
    ("com.apple.developer.arkit", "iOS", "none", None),  # not a visionOS enterprise key
    ("com.apple.developer.app-tracking-transparency", "iOS", "none", None),
    ("com.apple.developer.callkit", "iOS", "none", None),  # not the default-calling-app key
    ("com.apple.developer.game-controller", "tvOS", "none", None),  # not Game Center
    ("com.apple.developer.healthkit.clinical-health-records", "iOS", "entitlement",
     "com.apple.developer.healthkit.access"),
])
def test_first_suggestion(db: entitlements_db.Database, key: str, platform: str, kind: str, first: str | None) -> None:
    [suggestion, *_] = db.suggest(key, platform)
    assert (suggestion.kind, suggestion.key) == (kind, first)


def test_arkit_on_visionos_offers_the_enterprise_keys(db: entitlements_db.Database) -> None:
    """On visionOS the special cases rank above "no entitlement"."""
    keys = [s.key for s in db.suggest("com.apple.developer.arkit", "visionOS")[:3]]
    assert keys[0] is not None and keys[0].startswith("com.apple.developer.arkit.")


def test_a_capability_of_info_plist_keys_only_says_no_entitlement() -> None:
    """Why: Game Controllers writes only Info.plist keys, so the index ignored it and matched
    `…game-controller` to Game Center."""
    feature = models.Feature.model_validate({
        "id": "x", "names": [{"name": "Game Controllers", "kind": "capability", "source": "https://developer.apple.com/x"}],
        "info_plist": [{"key": "GCSupportsControllerUserInteraction"}, {"key": "UIBackgroundModes", "value": "audio"}],
        "sources": [{"url": "https://developer.apple.com/x", "kind": "apple-docs", "tier": "apple-doc", "supports": "the name"}],
    })
    assert _info_plist_only(feature) == (
        "Game Controllers needs no entitlement: add GCSupportsControllerUserInteraction and "
        "UIBackgroundModes (audio) to Info.plist.")


def _need_entry(needs: list[dict]) -> dict:
    """HealthKit's real entry with other Info.plist needs."""
    entry = YAML(typ="safe").load((DATA / "com.apple.developer.healthkit.yaml").read_text(encoding="utf-8"))
    return {**entry, "info_plist": needs}


def test_a_one_of_group_needs_two_keys_and_optional_is_only_true() -> None:
    ok = [{"key": "NSA", "one_of": "g"}, {"key": "NSB", "one_of": "g"}, {"key": "NSC", "optional": True}]
    models.Entitlement.model_validate(_need_entry(ok))
    for bad in ([{"key": "NSA", "one_of": "g"}], [{"key": "NSA", "optional": False}],
                [{"key": "NSA", "optional": True, "one_of": "g"}, {"key": "NSB", "one_of": "g"}]):
        with pytest.raises(ValueError):
            models.Entitlement.model_validate(_need_entry(bad))

