"""ENT001's wording says what the data knows (issue 8, point 5).

A key the data has never seen, and that misspells no known key, is "not a known entitlement"
of a named data release, points to `granted`, and still offers the feature index's best
answer; catalogued invented keys and misspellings keep "is not an entitlement".
"""

from __future__ import annotations

import pytest
from entitlements_lint import engine
from entitlements_lint.config import Settings
from entitlements_lint.rules.existence import osa_within
from lint_helpers import plist

from entitlements_db import load
from entitlements_db.cards import describe

DB = load()
RELEASE = f"entlint data {DB.meta['version']}, {len(DB)} keys"


def ent001(key: str, platforms: tuple[str, ...] = ("iOS",), granted: tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    data = plist(f"<key>{key}</key>\n<true/>")
    result = engine.lint_bytes(data, "App.entitlements", Settings(platforms=platforms, granted=granted), DB)
    return [(f.message, f.note) for f in result.findings if f.code == "ENT001"]


def test_a_key_nobody_has_seen_names_the_data_release_and_granted() -> None:
    [(message, note)] = ent001("com.apple.developer.zzqx-frobnicator")
    assert message == f"`com.apple.developer.zzqx-frobnicator` is not a known entitlement ({RELEASE})"
    assert note is not None and "`granted`" in note
    # Listed under `granted`, the same key is accepted.
    assert ent001("com.apple.developer.zzqx-frobnicator", granted=("com.apple.developer.zzqx-frobnicator",)) == []


def test_a_feature_named_as_a_key_gets_the_index_answer_after_the_release() -> None:
    [(message, note)] = ent001("com.apple.developer.apple-pay")
    assert message.startswith(f"`com.apple.developer.apple-pay` is not a known entitlement ({RELEASE}); ")
    assert message.endswith("did you mean `com.apple.developer.in-app-payments`?")
    assert note is not None and "`granted`" in note


@pytest.mark.parametrize(("key", "meant"), [
    ("com.apple.developer.healthkti", "com.apple.developer.healthkit"),      # two letters swapped
    ("com.apple.security.network.clients", "com.apple.security.network.client"),  # plural
    ("com.apple.developer.HealthKit", "com.apple.developer.healthkit"),      # letter case
])
def test_a_misspelling_is_not_an_entitlement(key: str, meant: str) -> None:
    [(message, note)] = ent001(key)
    assert message == f"`{key}` is not an entitlement; did you mean `{meant}`?"
    assert note is None or "granted" not in note


def test_a_catalogued_invented_key_is_not_an_entitlement() -> None:
    [(message, note)] = ent001("com.apple.developer.app-groups")
    assert message == "`com.apple.developer.app-groups` is not an entitlement; use `com.apple.security.application-groups`"
    assert note == DB.non_existent("com.apple.developer.app-groups").explanation


def test_db_show_does_not_claim_apple_never_defined_an_unknown_key() -> None:
    found = describe(DB, "com.apple.developer.zzqx-frobnicator")
    assert found["kind"] == "unknown"
    assert found["headline"] == f"**com.apple.developer.zzqx-frobnicator** is not in entlint's data ({RELEASE})."
    assert "`granted`" in found["explanation"]
    # A catalogued invented key is still called what it is.
    assert describe(DB, "com.apple.developer.app-groups")["headline"].endswith("is not an entitlement Apple defines.")


@pytest.mark.parametrize(("a", "b", "limit", "within"), [
    ("healthkit", "healthkti", 1, True),
    ("healthkit", "helthkti", 1, False),
    ("healthkit", "helthkti", 2, True),
    ("read_only", "read-only", 0, True),
    ("abc", "abcdef", 2, False),
    ("", "ab", 2, True),
])
def test_edit_distance_bound(a: str, b: str, limit: int, within: bool) -> None:
    assert osa_within(a, b, limit) is within


def test_a_key_in_the_other_namespace_is_unknown_with_the_real_key_first() -> None:
    # Apple keeps parallel keys in both namespaces (com.apple.developer.cs.allow-jit is real), so
    # a namespace swap is not called a misspelling; the known key is still the first answer.
    from entitlements_db import load
    from entitlements_lint import engine
    from entitlements_lint.config import Settings
    from lint_helpers import plist

    data = plist("<key>com.apple.developer.app-sandbox</key>\n<true/>")
    result = engine.lint_bytes(data, "App.entitlements", Settings(), load())
    (message,) = [f.message for f in result.findings if f.code == "ENT001"]
    assert message.startswith("`com.apple.developer.app-sandbox` is not a known entitlement")
    assert "did you mean `com.apple.security.app-sandbox`" in message
