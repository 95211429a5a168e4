"""The development sets of issue 9 keep their accuracy: the share right first, never the time.

The judging is benchmarks/ranking.py's own (one definition of "right"); timing stays there.
Floors sit just under what the index reaches today; raise them when the index improves.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from entitlements_db import load

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("ranking_benchmark", REPO / "benchmarks" / "ranking.py")
assert _spec is not None and _spec.loader is not None
ranking: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ranking)

DB = load()
KEYS = ranking.read_set(ranking.KEYS_FILE, "keys")
PHRASES = ranking.read_set(ranking.PHRASES_FILE, "phrases")
#: What the index reaches on the development sets (keys 98.3 % first; phrases 92.8 % first and
#: 100 % in the top 3), less a margin.
KEY_FIRST_FLOOR = 0.97
PHRASE_FIRST_FLOOR = 0.90
PHRASE_TOP3_FLOOR = 0.97


def test_the_sets_are_large_enough_and_well_formed() -> None:
    assert len(KEYS) >= 150 and len(PHRASES) >= 40
    for entry in KEYS + PHRASES:
        assert entry["accept"] and entry["origin"], entry
        for accepted in entry["accept"]:
            if accepted == "none" or accepted.startswith(("none:", "info-plist:")):
                continue
            real = accepted[:-1] if accepted.endswith("*") else accepted
            assert DB.get(real) is not None or any(k.startswith(real) for k in DB.keys()), accepted
    invented = [e["key"] for e in KEYS]
    assert len(invented) == len(set(invented))
    assert [k for k in invented if k in DB] == []  # an invented key that became real belongs elsewhere


def test_invented_keys_are_reported() -> None:
    missed = [e["key"] for e in KEYS if not ranking.reported(DB, e)]
    assert len(missed) / len(KEYS) <= 0.01, missed


def test_invented_keys_get_an_acceptable_replacement_first() -> None:
    ranks = [ranking.judge_key(DB, e) for e in KEYS]
    first, _ = ranking.shares(ranks)
    misses = [e["key"] for e, r in zip(KEYS, ranks) if r != 0]
    assert first >= KEY_FIRST_FLOOR, misses


def test_phrases_find_the_feature_first() -> None:
    ranks = [ranking.judge_phrase(DB, e) for e in PHRASES]
    first, top3 = ranking.shares(ranks)
    misses = [e["phrase"] for e, r in zip(PHRASES, ranks) if r != 0]
    assert first >= PHRASE_FIRST_FLOOR and top3 >= PHRASE_TOP3_FLOOR, misses


@pytest.mark.parametrize(("accept", "kind", "key", "fits"), [
    (["com.apple.developer.carplay-*"], "entitlement", "com.apple.developer.carplay-audio", True),
    (["com.apple.developer.carplay-*"], "entitlement", "com.apple.developer.carplay", False),
    (["none"], "none", None, True),
    (["info-plist:UIBackgroundModes"], "info-plist-key", "UIBackgroundModes", True),
    (["info-plist:UIBackgroundModes"], "entitlement", "UIBackgroundModes", False),
    (["aps-environment"], "none", None, False),
])
def test_what_counts_as_right(accept: list[str], kind: str, key: str | None, fits: bool) -> None:
    from entitlements_db.suggest import Suggestion

    assert ranking.suggestion_fits(accept, Suggestion(kind, key, "", 1.0)) is fits
