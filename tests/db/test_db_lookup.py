"""The Database API: lookups, iteration, filters, the catalogues, Info.plist knowledge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import entitlements_db
from entitlements_db.database import Database

HOTSPOT = "com.apple.developer.networking.HotspotConfiguration"


# -- lookups -----------------------------------------------------------------------
def test_load_is_cached_and_typed(db: Database) -> None:
    assert entitlements_db.load() is db
    assert isinstance(db, entitlements_db.Database)


def test_get_returns_what_apple_documents_for_aps_environment(db: Database) -> None:
    entry = db.get("aps-environment")
    assert entry is not None and isinstance(entry, entitlements_db.Entitlement)
    assert entry.key == "aps-environment"
    assert entry.value.type == "string"
    assert entry.value.allowed == ["development", "production"]
    assert entry.counterparts["macOS"] == "com.apple.developer.aps-environment"
    assert entry.available_on("iOS") and not entry.available_on("macOS")
    assert entry.docs.startswith("https://developer.apple.com/")
    assert db["aps-environment"] == entry


def test_icloud_services_and_app_groups_value_facts(db: Database) -> None:
    services = db["com.apple.developer.icloud-services"].value
    assert {"CloudKit", "CloudDocuments"} <= set(services.allowed or [])
    groups = db["com.apple.security.application-groups"].value
    assert groups.type == "array-of-strings"
    assert "group." in (groups.prefixes or [])
    # Xcode writes $(AppIdentifierPrefix) into keychain access groups.
    assert db["keychain-access-groups"].value.build_settings is True
    assert db["aps-environment"].value.build_settings is False


def test_lookups_are_case_sensitive(db: Database) -> None:
    lower = HOTSPOT.lower()
    assert HOTSPOT in db
    assert lower not in db
    assert db.get(lower) is None
    with pytest.raises(KeyError):
        db[lower]
    assert db.case_insensitive(lower) == HOTSPOT
    assert db.case_insensitive(HOTSPOT.upper()) == HOTSPOT
    # The exact key is not "another spelling" of itself, and unknown keys have none.
    assert db.case_insensitive(HOTSPOT) is None
    assert db.case_insensitive("com.apple.developer.no-such-thing") is None


def test_membership_is_false_for_non_keys(db: Database) -> None:
    assert "" not in db
    assert "com.apple.developer.push-notifications" not in db  # catalogued as non-existent
    assert 42 not in db
    assert None not in db
    assert ["aps-environment"] not in db  # an unhashable value is not a key, not a crash


def test_iteration_keys_and_len_agree(db: Database) -> None:
    keys = [e.key for e in db]
    assert keys == db.keys()
    assert len(keys) == len(set(keys)) == len(db) == db.meta["counts"]["entitlements"]
    assert all(isinstance(e, entitlements_db.Entitlement) for e in db)
    assert all(key in db for key in keys)


def test_entitlement_views_expose_optional_fields_safely(db: Database) -> None:
    for entry in db:
        assert entry.owner in ("developer", "profile", "signing")
        assert isinstance(entry.requires, list) and isinstance(entry.info_plist, list)
        assert entry.platforms and all(entry.available_on(p) for p in entry.platforms)
        assert all(s.url.startswith("https://") for s in entry.sources)
        if entry.managed is None:
            assert not any(entry.needs_approval_for(d) for d in entitlements_db.DISTRIBUTIONS)


# -- filters -------------------------------------------------------------------------
def test_platform_filter_is_exact(db: Database) -> None:
    mac = {e.key for e in db.filter(platform="macOS")}
    assert "aps-environment" not in mac
    assert "com.apple.developer.aps-environment" in mac
    assert "com.apple.security.app-sandbox" in mac
    assert mac == {e.key for e in db if "macOS" in e.platforms}
    assert len(db.filter(platform="tvOS")) < len(db.filter(platform="iOS"))


def test_managed_filter_splits_the_database(db: Database) -> None:
    managed = {e.key for e in db.filter(managed=True)}
    unmanaged = {e.key for e in db.filter(managed=False)}
    assert "com.apple.developer.family-controls" in managed
    assert "com.apple.security.app-sandbox" in unmanaged
    assert managed and unmanaged and not managed & unmanaged
    assert managed | unmanaged == set(db.keys())
    assert all(e.managed is not None for e in db.filter(managed=True))
    assert db.filter() == list(db)


def test_family_controls_needs_approval_only_to_distribute(db: Database) -> None:
    entry = db["com.apple.developer.family-controls"]
    assert entry.managed is not None
    assert entry.needs_approval_for("app-store")
    assert entry.needs_approval_for("ad-hoc")
    assert not entry.needs_approval_for("development")
    assert entry.managed.request_url and entry.managed.request_url.startswith("https://")


def test_distribution_filter_keeps_unknown_and_drops_excluded(db: Database) -> None:
    developer_id = {e.key for e in db.filter(distribution="developer-id")}
    # aps-environment is documented for ADP and ADEP only: no Developer ID.
    assert "aps-environment" not in developer_id
    unknown = [e.key for e in db if e.distribution is None]
    assert unknown and set(unknown) <= developer_id  # absence of data is not evidence
    assert developer_id == {
        e.key for e in db if e.distribution is None or "developer-id" in e.distribution
    }


def test_filters_combine(db: Database) -> None:
    found = db.filter(platform="macOS", managed=True, distribution="developer-id")
    assert found
    for e in found:
        assert e.available_on("macOS") and e.managed is not None
        assert e.distribution is None or "developer-id" in e.distribution


# -- non-existent and Apple-internal keys -------------------------------------------
def test_non_existent_catalogue(db: Database) -> None:
    entry = db.non_existent("com.apple.developer.push-notifications")
    assert entry is not None and isinstance(entry, entitlements_db.NonExistentKey)
    first = entry.replacements[0]
    assert (first.kind, first.key) == ("entitlement", "aps-environment")
    assert "macOS" not in (first.platforms or [])
    assert entry.explanation and entry.sources
    assert db.non_existent("aps-environment") is None
    assert db.non_existent("com.apple.developer.Push-Notifications") is None  # exact keys only


def test_no_catalogued_key_is_real(db: Database) -> None:
    catalogued = db.non_existent_keys()
    assert len(catalogued) == db.meta["counts"]["non_existent"]
    assert [n.key for n in catalogued if n.key in db] == []


def test_apple_internal_by_prefix_and_by_key(db: Database) -> None:
    by_prefix = db.apple_internal("com.apple.private.foo")
    assert by_prefix is not None and by_prefix.matched == "com.apple.private."
    assert by_prefix.note and by_prefix.sources
    by_key = db.apple_internal("platform-application")
    assert by_key is not None and by_key.matched == "platform-application"
    assert db.apple_internal("task_for_pid-allow") is not None
    # A listed key wins over the broader prefix it falls under.
    assert db.apple_internal("com.apple.runningboard.process-state").matched == (  # type: ignore[union-attr]
        "com.apple.runningboard.process-state"
    )
    # Prefixes match whole segments only.
    assert db.apple_internal("com.apple.privatefoo") is None
    assert db.apple_internal("com.apple.developer.healthkit") is None


def test_a_documented_key_is_never_internal(db: Database) -> None:
    assert [e.key for e in db if db.apple_internal(e.key) is not None] == []


def test_a_documented_key_wins_over_an_internal_prefix(
    make_db: Callable[[Callable[[dict[str, Any]], None]], Database], db: Database
) -> None:
    def document_a_private_key(bundle: dict[str, Any]) -> None:
        raw = dict(bundle["entitlements"][0], key="com.apple.private.documented")
        bundle["entitlements"].append(raw)

    variant = make_db(document_a_private_key)
    assert variant.apple_internal("com.apple.private.documented") is None
    assert variant.apple_internal("com.apple.private.other") is not None
    assert db.apple_internal("com.apple.private.documented") is not None


# -- Info.plist ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    [
        "UIBackgroundModes",
        "NSCameraUsageDescription",
        "CFBundleURLTypes",
        "NSFooBarUsageDescription",
    ],
)
def test_looks_like_info_plist_key(db: Database, key: str) -> None:
    assert db.looks_like_info_plist_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "aps-environment",
        "com.apple.security.app-sandbox",
        "com.apple.developer.networking.HotspotConfiguration",
        "NS",
        "NSX",
        "UIlowercase",
        "",
    ],
)
def test_does_not_look_like_info_plist_key(db: Database, key: str) -> None:
    assert not db.looks_like_info_plist_key(key)


def test_info_plist_keys_and_background_modes(db: Database) -> None:
    camera = db.info_plist_key("NSCameraUsageDescription")
    assert camera is not None and camera.usage_description and not camera.deprecated
    assert db.info_plist_key("aps-environment") is None
    remote = db.background_mode("remote-notification")
    assert remote is not None and "iOS" in remote.platforms
    assert db.background_mode("voip") is not None
    # "downloads" and "background-fetch" are invented values; the real one is "fetch".
    assert db.background_mode("downloads") is None
    assert db.background_mode("background-fetch") is None
    assert db.background_mode("fetch") is not None
    assert len(db.background_modes()) == db.meta["counts"]["background_modes"]
    assert db.background_modes_docs.startswith("https://developer.apple.com/")


def test_every_info_plist_need_of_an_entitlement_is_recognised(db: Database) -> None:
    needs = {n["key"] for e in db for n in e.info_plist}
    assert needs and [k for k in sorted(needs) if not db.looks_like_info_plist_key(k)] == []
