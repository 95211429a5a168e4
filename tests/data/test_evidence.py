"""Evidence (docs/data-guide.md, "Evidence tiers" and "Platforms, present and absent"): every
source's tier fits what it is, every platform and absence names a fitting source, the platform
and distribution facts agree with each other, and scripts/verify_data.py finds no disagreement
with the reference facts.

test_data_integrity.py covers the rest of the dataset (Developer ID only on keys that exist on
macOS is there); these tests are about how each fact is known.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ValidationError

from entitlements_db import build, models

SHARED_REFERENCE = build.REPO_ROOT.parent / "shared" / "reference"  # as in conftest.py
REFERENCE_ABSENT = "run from a checkout with ../shared beside it, as CI does (../shared/reference is absent)"

TABLE = "https://developer.apple.com/help/account/reference/supported-capabilities-"
#: The capability table that speaks for each platform (there is none for Mac Catalyst).
TABLE_OF = {
    "iOS": "ios",
    "iPadOS": "ios",
    "macOS": "macos",
    "tvOS": "tvos",
    "watchOS": "watchos",
    "visionOS": "visionos",
}
#: Tables whose every row is stored, so a missing row is evidence of absence.
COMPLETE_TABLES = {"ios", "tvos", "watchos", "visionos"}
MAC_PLATFORMS = {"macOS", "macCatalyst"}
#: Where each establishing tier's sources live.
TIER_HOSTS = {
    "apple-page": ("https://developer.apple.com/documentation/bundleresources/entitlements/",),
    "apple-doc": ("https://developer.apple.com/",),
    "apple-staff": ("https://developer.apple.com/forums/",),
    "xcode": ("https://developer.apple.com/",),
    "os": (
        "https://github.com/apple-oss-distributions/",
        "https://opensource.apple.com/",
        "https://github.com/apple/",
    ),
}


def _listing(items: list[str]) -> str:
    return "\n" + "\n".join(f"  {item}" for item in items)


def _sources(dataset: build.Dataset) -> Iterator[tuple[str, models.Source]]:
    for e in dataset.entitlements:
        for s in e.sources:
            yield f"entitlements/{e.key}", s
    for n in dataset.non_existent:
        for s in n.sources:
            yield f"non-existent/{n.key}", s
    for group in (
        dataset.apple_internal.prefixes,
        dataset.apple_internal.keys,
        dataset.profile_keys.keys,
    ):
        for item in group:
            for s in item.sources:
                yield getattr(item, "key", None) or getattr(item, "prefix", ""), s
    for m in dataset.background_modes.modes:
        for s in m.sources:
            yield f"UIBackgroundModes {m.value}", s
    for k in dataset.info_plist_keys.keys:
        for s in k.sources:
            yield f"Info.plist {k.key}", s


def _recorded(check: str) -> set[tuple[str, str | None]]:
    rows = build._validate(build.DATA_DIR / "source-disagreements.yaml", models.SourceDisagreements)
    return {(d.key, d.platform) for d in rows.disagreements if d.check == check}


# -- tiers --------------------------------------------------------------------------------
def test_every_source_has_a_tier_that_fits_its_kind(dataset: build.Dataset) -> None:
    # The schema enforces this on load; the test keeps it true for every file, not only
    # the entitlements, and fails loudly if the schema check is ever loosened.
    wrong = [
        f"{where}: {s.kind} as {s.tier}"
        for where, s in _sources(dataset)
        if s.tier not in models.KIND_TIERS[s.kind]
    ]
    assert not wrong, _listing(wrong)


def test_establishing_sources_live_where_their_tier_says(dataset: build.Dataset) -> None:
    # An Apple tier on a third-party URL would make a public repository count as evidence that
    # a key is real. The one allowance: shipped Apple code read from a public copy, which must
    # say what it copies. (Apple-internal keys cite dumps of Apple's binaries: they show Apple
    # holds a key, never that apps may, so they are not judged here.)
    wrong = []
    for where, s in _sources(dataset):
        if not where.startswith(("entitlements/", "non-existent/")):
            continue
        hosts = TIER_HOSTS.get(s.tier)
        if hosts is None or s.url.lower().startswith(hosts):
            continue
        if s.tier == "os" and "copy of" in s.supports:
            continue
        if s.kind == "xcode-definitions":
            continue  # a faithful public copy of Xcode's capability definitions, by definition
        wrong.append(f"{where}: {s.tier} {s.url}")
    assert not wrong, _listing(wrong)


def test_apple_page_sources_are_the_keys_own_page(dataset: build.Dataset) -> None:
    # apple-page is the entitlement's own page; another key's page is only apple-doc.
    wrong = []
    for e in dataset.entitlements:
        for s in e.sources:
            if s.tier == "apple-page" and s.url.lower().rstrip("/") != e.docs.lower().rstrip("/"):
                wrong.append(f"{e.key}: {s.url}")
    assert not wrong, _listing(wrong)


@pytest.mark.parametrize(
    ("kind", "tier", "url"),
    [
        ("third-party", "apple-doc", "https://github.com/example/app"),
        (
            "provisioning-profile",
            "os",
            "https://developer.apple.com/documentation/technotes/tn3125",
        ),
        ("apple-docs", "apple-page", "https://developer.apple.com/documentation/healthkit"),
        ("apple-forums", "apple-doc", "https://developer.apple.com/forums/thread/1"),
    ],
)
def test_the_schema_refuses_a_tier_that_does_not_fit(kind: str, tier: str, url: str) -> None:
    with pytest.raises(ValidationError):
        models.Source.model_validate({"url": url, "kind": kind, "tier": tier, "supports": "a fact"})


def test_a_real_key_with_only_supporting_sources_is_refused(dataset: build.Dataset) -> None:
    entry = next(
        e for e in dataset.entitlements if e.key == "com.apple.developer.healthkit"
    ).model_dump()
    third = {
        "url": "https://github.com/example/app",
        "kind": "third-party",
        "tier": "supporting",
        "supports": "seen",
    }
    entry["sources"] = [third]
    entry["platforms"] = {"iOS": {"source": third["url"]}}
    entry["absent"] = {}
    with pytest.raises(ValidationError, match="Apple tier"):
        models.Entitlement.model_validate(entry)


# -- platforms, present and absent -------------------------------------------------------
def test_a_platform_that_cites_a_capability_table_cites_its_own(dataset: build.Dataset) -> None:
    # The watchOS table cannot put a key on tvOS, and no table speaks for Mac Catalyst.
    wrong = []
    for e in dataset.entitlements:
        for platform, availability in e.platforms.items():
            url = availability.source
            if url.startswith(TABLE) and url != TABLE + TABLE_OF.get(platform, "-"):
                wrong.append(f"{e.key}: {platform} cites {url}")
    assert not wrong, _listing(wrong)


def test_a_platform_that_cites_an_entitlement_page_cites_the_keys_own(
    dataset: build.Dataset,
) -> None:
    wrong = []
    for e in dataset.entitlements:
        for platform, availability in e.platforms.items():
            url = availability.source.lower().rstrip("/")
            if url.startswith(models.ENTITLEMENT_PAGE) and url != e.docs.lower().rstrip("/"):
                wrong.append(f"{e.key}: {platform} cites {availability.source}")
    assert not wrong, _listing(wrong)


def test_absence_evidence_is_well_formed(dataset: build.Dataset) -> None:
    wrong = []
    for e in dataset.entitlements:
        by_url = {s.url: s for s in e.sources}
        for platform, absence in e.absent.items():
            source = by_url[absence.source]  # the schema guarantees it is a source of the entry
            where = f"{e.key}: absent on {platform}"
            if absence.reason == "capability-table":
                table = TABLE_OF.get(platform)
                if absence.source != f"{TABLE}{table}":
                    wrong.append(f"{where}: cites {absence.source}, not the {platform} table")
                elif table not in COMPLETE_TABLES:
                    wrong.append(
                        f"{where}: the stored {table} table is incomplete, so a missing row proves nothing"
                    )
            elif absence.reason == "apple-statement" and not source.establishes:
                wrong.append(
                    f"{where}: an Apple statement needs an Apple source, not {source.tier}"
                )
            elif absence.reason == "validation-error" and source.kind not in (
                "app-store-validation",
                "apple-forums",
            ):
                wrong.append(
                    f"{where}: a validation error needs the error's source, not {source.kind}"
                )
            if not absence.note:
                wrong.append(f"{where}: say what shows the absence in a note")
    assert not wrong, _listing(wrong)


def test_mac_catalyst_is_never_inferred(dataset: build.Dataset) -> None:
    # Mac Catalyst comes from a source that names it: never from a capability table (none
    # exists for it) and never from macOS alone.
    wrong = []
    for e in dataset.entitlements:
        catalyst = e.platforms.get("macCatalyst")
        if catalyst is None:
            continue
        source = next(s for s in e.sources if s.url == catalyst.source)
        if catalyst.source.startswith(TABLE) or not source.establishes:
            wrong.append(f"{e.key}: Mac Catalyst from {catalyst.source}")
    assert not wrong, _listing(wrong)


@pytest.mark.skipif(not SHARED_REFERENCE.is_dir(), reason=REFERENCE_ABSENT)
def test_mac_catalyst_from_a_page_is_on_that_page(dataset: build.Dataset) -> None:
    import json

    pages = {
        r["key"]: r for r in json.loads((SHARED_REFERENCE / "apple-entitlements.json").read_text())
    }
    listed: dict[str, set[str]] = {}
    for capability in json.loads((SHARED_REFERENCE / "capability-entitlements.json").read_text())[
        "capabilities"
    ]:
        for item in capability.get("entitlements", []):
            listed.setdefault(item["key"], set()).update(item.get("platforms") or [])
    wrong = []
    for e in dataset.entitlements:
        catalyst = e.platforms.get("macCatalyst")
        if catalyst is None or catalyst.source.lower() != e.docs.lower() or e.key not in pages:
            continue
        on_page = {a["platform"] for a in pages[e.key].get("availability") or []}
        mirrored = any(p.startswith("Mac Catalyst") for p in listed.get(e.key, ()))
        if "macCatalyst" not in on_page and not mirrored:
            wrong.append(e.key)
    assert not wrong, _listing(wrong)


# -- consistency ---------------------------------------------------------------------------
def _parent(key: str, real: dict[str, models.Entitlement]) -> models.Entitlement | None:
    """The nearest real key this one extends at a dot (healthkit.access → healthkit)."""
    parts = key.split(".")
    for end in range(len(parts) - 1, 2, -1):
        parent = real.get(".".join(parts[:end]))
        if parent is not None:
            return parent
    return None


def test_sub_keys_exist_only_where_their_parent_does(dataset: build.Dataset) -> None:
    real = {e.key: e for e in dataset.entitlements}
    recorded = _recorded("sub-key-platforms")
    wrong = []
    for e in dataset.entitlements:
        parent = _parent(e.key, real)
        if parent is None:
            continue
        for platform in sorted(set(e.platforms) - set(parent.platforms)):
            if (e.key, platform) not in recorded:
                wrong.append(f"{e.key}: on {platform}, {parent.key} is not")
    assert not wrong, _listing(wrong)
    # The exceptions stay honest: each names a real sub-key that still needs it.
    stale = [
        f"{key} {platform}"
        for key, platform in recorded
        if key not in real
        or (parent := _parent(key, real)) is None
        or platform in parent.platforms
        or platform not in real[key].platforms
    ]
    assert not stale, _listing(stale)


def test_the_sub_key_rule_sees_healthkit_under_healthkit() -> None:
    parent = SimpleNamespace(key="com.apple.developer.healthkit")
    real: dict[str, Any] = {"com.apple.developer.healthkit": parent}
    assert _parent("com.apple.developer.healthkit.access", real) is parent
    assert _parent("com.apple.developer.healthkitx", real) is None
    assert _parent("com.apple.developer", {"com.apple": parent}) is None  # not a key family


def test_mac_only_keys_have_no_ad_hoc_distribution(dataset: build.Dataset) -> None:
    # macOS has no ad hoc distribution: Mac apps ship through development, the Mac App Store
    # or Developer ID (a Mac Catalyst app is a Mac app).
    wrong = []
    for e in dataset.entitlements:
        if not set(e.platforms) <= MAC_PLATFORMS:
            continue
        if "ad-hoc" in (e.distribution or []):
            wrong.append(f"{e.key}: distribution")
        if e.managed and "ad-hoc" in e.managed.distributions:
            wrong.append(f"{e.key}: managed distributions")
    assert not wrong, _listing(wrong)


def test_developer_id_only_on_keys_that_exist_on_the_mac(dataset: build.Dataset) -> None:
    # Developer ID signs Mac software only: a key that exists on neither macOS nor Mac Catalyst
    # cannot be distributed that way, even when Apple's page only says "request it".
    wrong = []
    for e in dataset.entitlements:
        if set(e.platforms) & MAC_PLATFORMS:
            continue
        if "developer-id" in (e.distribution or []):
            wrong.append(f"{e.key}: distribution")
        if e.managed and "developer-id" in e.managed.distributions:
            wrong.append(f"{e.key}: managed distributions")
    assert not wrong, _listing(wrong)


def test_developer_id_and_ad_hoc_have_a_source(dataset: build.Dataset) -> None:
    # Neither is inferred: a capability table or another source of the entry must speak of
    # distribution (the macOS table's Developer ID column, a page naming Developer ID …).
    wrong = []
    for e in dataset.entitlements:
        for model, pattern in (
            ("developer-id", r"developer.?id|distribution"),
            ("ad-hoc", r"ad.?hoc|distribution"),
        ):
            if model not in (e.distribution or []):
                continue
            if not any(
                s.url.startswith(TABLE) or re.search(pattern, s.supports, re.IGNORECASE)
                for s in e.sources
            ):
                wrong.append(f"{e.key}: {model}")
    assert not wrong, _listing(wrong)


# -- the verification script -----------------------------------------------------------------
def _verify_module() -> Any:
    path = build.REPO_ROOT / "scripts" / "verify_data.py"
    spec = importlib.util.spec_from_file_location("verify_data", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


needs_reference = pytest.mark.skipif(
    not (SHARED_REFERENCE / "apple-entitlements.json").is_file(),
    reason=REFERENCE_ABSENT,
)


@needs_reference
def test_the_data_agrees_with_the_reference(dataset: build.Dataset) -> None:
    found = _verify_module().disagreements(dataset, SHARED_REFERENCE)
    assert not found, (
        _listing([str(d) for d in found])
        + "\nfix the entry or record why in data/source-disagreements.yaml"
    )


@needs_reference
def test_the_script_reports_a_platform_the_tables_give(dataset: build.Dataset) -> None:
    # HealthKit on watchOS is the issue's own example: drop it and the script must say so.
    verify = _verify_module()
    entries = []
    for e in dataset.entitlements:
        if e.key == "com.apple.developer.healthkit":
            e = e.model_copy(
                update={"platforms": {p: a for p, a in e.platforms.items() if p != "watchOS"}}
            )
        entries.append(e)
    found = verify.disagreements(SimpleNamespace(entitlements=entries), SHARED_REFERENCE)
    assert [str(d) for d in found] == [
        (
            "com.apple.developer.healthkit: platform-missing [watchOS]: "
            "the watchOS table (HealthKit row) lists it; the entry does not"
        )
    ]


@needs_reference
def test_the_script_reports_ad_hoc_on_a_mac_only_key(dataset: build.Dataset) -> None:
    verify = _verify_module()
    entries = [
        e.model_copy(update={"distribution": [*(e.distribution or []), "ad-hoc"]})
        if e.key == "com.apple.security.app-sandbox"
        else e
        for e in dataset.entitlements
    ]
    found = verify.disagreements(SimpleNamespace(entitlements=entries), SHARED_REFERENCE)
    assert [(d.key, d.check) for d in found] == [("com.apple.security.app-sandbox", "distribution")]


@needs_reference
def test_the_script_reports_a_free_account_the_tables_tick(dataset: build.Dataset) -> None:
    # The visionOS table ticks the free column for ClassKit: leaving free_account out hides
    # that a Personal Team may use the key.
    verify = _verify_module()
    entries = [
        e.model_copy(update={"free_account": None})
        if e.key == "com.apple.developer.ClassKit-environment"
        else e
        for e in dataset.entitlements
    ]
    found = verify.disagreements(SimpleNamespace(entitlements=entries), SHARED_REFERENCE)
    assert [(d.key, d.check) for d in found] == [
        ("com.apple.developer.ClassKit-environment", "free-account")
    ]


@needs_reference
def test_a_recorded_disagreement_that_no_longer_occurs_is_reported(dataset: build.Dataset) -> None:
    # Give com.apple.developer.maps the iOS the Maps row offers: the row recording why it
    # lacks iOS goes stale, and the script must say so.
    verify = _verify_module()
    table = TABLE + "ios"
    entries = []
    for e in dataset.entitlements:
        if e.key == "com.apple.developer.maps":
            source = models.Source(
                url=table, kind="account-help", tier="apple-doc", supports="test"
            )
            platforms = {**e.platforms, "iOS": models.Availability(source=table)}
            e = e.model_copy(update={"platforms": platforms, "sources": [*e.sources, source]})
        entries.append(e)
    found = verify.disagreements(SimpleNamespace(entitlements=entries), SHARED_REFERENCE)
    assert ("com.apple.developer.maps", "recorded", "iOS") in [
        (d.key, d.check, d.platform) for d in found
    ]


def test_recorded_disagreements_name_real_keys_and_known_checks(dataset: build.Dataset) -> None:
    real = {e.key for e in dataset.entitlements}
    rows = build._validate(build.DATA_DIR / "source-disagreements.yaml", models.SourceDisagreements)
    assert [d.key for d in rows.disagreements if d.key not in real] == []


def test_a_disagreement_cannot_be_recorded_twice() -> None:
    row = {
        "key": "com.apple.developer.maps",
        "check": "platform-missing",
        "platform": "iOS",
        "reason": "a reason long enough",
    }
    with pytest.raises(ValidationError, match="twice"):
        models.SourceDisagreements.model_validate({"disagreements": [row, row]})


#: Capabilities in Apple's tables that no entry joins, each with why. A capability a user
#: can add in Xcode writes its keys into their file; a missing entry calls them unknown.
CAPABILITIES_WITHOUT_ENTRY = {
    "background modes": "writes UIBackgroundModes to Info.plist, no entitlement",
    "game controllers": "writes GCSupportedGameControllers to Info.plist, no entitlement",
    "in-app purchase": "needs no entitlement (com.apple.developer.in-app-purchase is catalogued as invented)",
    "hls interstitial previews": "only third-party tools spell its key; no Apple source names it yet",
    "messages collaboration": "only third-party tools spell its key; no Apple source names it yet",
    "sim inserted": "only third-party tools spell its key; no Apple source names it yet",
}


def _capabilities_without_entry(verify: Any, entitlements: Any) -> list[str]:
    reference = verify.Reference(SHARED_REFERENCE)
    joined = {
        verify._name(row.capability) for e in entitlements for row in reference.rows_for(e).values()
    }
    return sorted({name for (_, name) in reference.rows} - joined)


@needs_reference
def test_every_capability_in_apples_tables_has_an_entry(dataset: build.Dataset) -> None:
    missing = _capabilities_without_entry(_verify_module(), dataset.entitlements)
    assert missing == sorted(CAPABILITIES_WITHOUT_ENTRY), _listing(missing)


@needs_reference
def test_a_capability_whose_entry_goes_is_reported(dataset: build.Dataset) -> None:
    entries = [e for e in dataset.entitlements if e.capability != "Media Extension Format Reader"]
    missing = _capabilities_without_entry(_verify_module(), entries)
    assert "media extension format reader" in missing
