"""Claimed entitlements against a provisioning profile, following rules_apple's plisttool."""

from __future__ import annotations

import datetime
import plistlib

import pytest
from entitlements_lint.artefacts.profile_compare import Mismatch, compare, does_id_match
from entitlements_lint.artefacts.profiles import Profile, read_profile
from signing_builders import profile_dict

UTC = datetime.timezone.utc
BEFORE_EXPIRY = datetime.datetime(2025, 6, 1, tzinfo=UTC)


def _profile(entitlements: dict[str, object] | None = None, **overrides: object) -> Profile:
    if entitlements is not None:
        overrides["Entitlements"] = entitlements
    return read_profile(plistlib.dumps(profile_dict(**overrides)))


def _kinds(found: list[Mismatch]) -> list[tuple[str, str | None]]:
    return [(m.kind, m.key) for m in found]


APP_STORE = {
    "application-identifier": "ABCDE12345.com.example.app",
    "com.apple.developer.team-identifier": "ABCDE12345",
    "get-task-allow": False,
    "beta-reports-active": True,
    "aps-environment": "production",
    "keychain-access-groups": ["ABCDE12345.*", "com.apple.token"],
    "com.apple.security.application-groups": ["group.com.example.shared"],
    "com.apple.developer.associated-domains": "*",
    "com.apple.developer.icloud-container-identifiers": ["iCloud.com.example.app"],
    "com.apple.developer.ubiquity-kvstore-identifier": "ABCDE12345.*",
    "com.apple.developer.icloud-services": "*",
    "com.apple.developer.icloud-container-environment": ["Development", "Production"],
    "com.apple.developer.nfc.readersession.formats": ["NDEF", "TAG"],
    "com.apple.developer.healthkit": True,
    "com.apple.developer.healthkit.access": [],
}


def _app_store() -> Profile:
    return _profile(APP_STORE, ProvisionedDevices=None)


def test_matching_claims_give_nothing() -> None:
    claims = {
        "application-identifier": "ABCDE12345.com.example.app",
        "com.apple.developer.team-identifier": "ABCDE12345",
        "beta-reports-active": True,
        "get-task-allow": False,
        "aps-environment": "production",
        "keychain-access-groups": ["ABCDE12345.com.example.app", "ABCDE12345.shared"],
        "com.apple.security.application-groups": ["group.com.example.shared"],
        "com.apple.developer.associated-domains": [
            "applinks:example.com",
            "webcredentials:*.x.com",
        ],
        "com.apple.developer.icloud-container-identifiers": ["iCloud.com.example.app"],
        "com.apple.developer.ubiquity-kvstore-identifier": "ABCDE12345.com.example.app",
        "com.apple.developer.icloud-services": ["CloudKit", "CloudDocuments"],
        "com.apple.developer.icloud-container-environment": "Production",
        "com.apple.developer.nfc.readersession.formats": ["TAG"],
        "com.apple.developer.healthkit": True,
    }
    profile = _app_store()
    assert profile.distribution == "app-store"
    assert compare(claims, profile, now=BEFORE_EXPIRY, bundle_identifier="com.example.app") == []


def test_not_in_profile_explains_the_likely_cause() -> None:
    found = compare({"com.apple.developer.family-controls": True}, _app_store(), now=BEFORE_EXPIRY)
    assert found == [
        Mismatch(
            "not-in-profile",
            "com.apple.developer.family-controls",
            "profile 'iOS Team Provisioning Profile: com.example.app' does not include "
            "`com.apple.developer.family-controls`: enable the capability on Example App and "
            "regenerate the profile, or, if Apple manages this capability, request it for "
            "app-store distribution",
            {
                "profile": "iOS Team Provisioning Profile: com.example.app",
                "distribution": "app-store",
            },
        )
    ]


def test_expired_profile() -> None:
    found = compare({}, _app_store(), now=datetime.datetime(2027, 1, 1, tzinfo=UTC))
    assert _kinds(found) == [("expired", None)]
    assert found[0].details == {"expiration": "2026-01-02T03:04:05+00:00"}
    assert "expired on 2026-01-02T03:04:05+00:00" in found[0].message


def test_team_identifier_mismatch() -> None:
    found = compare(
        {"com.apple.developer.team-identifier": "ZZZZZ99999"}, _app_store(), now=BEFORE_EXPIRY
    )
    assert _kinds(found) == [("value-mismatch", "com.apple.developer.team-identifier")]
    assert found[0].details == {"claimed": "ZZZZZ99999", "allowed": ["ABCDE12345"]}


@pytest.mark.parametrize(
    ("claimed", "in_profile", "ok"),
    [
        ("ABCDE12345.com.example.app", "ABCDE12345.com.example.app", True),
        ("ABCDE12345.com.example.app", "ABCDE12345.*", True),
        ("ABCDE12345.com.example.app", "ABCDE12345.com.example.*", True),
        ("ABCDE12345.com.example.*", "ABCDE12345.com.example.app", True),  # claimed wildcard
        ("ABCDE12345.com.example.*", "ABCDE12345.*", True),
        ("ABCDE12345.com.other", "ABCDE12345.com.example.app", False),
        ("ABCDE12345.*", "ABCDE12345.com.example.*", False),
    ],
)
def test_application_identifier_wildcards(claimed: str, in_profile: str, ok: bool) -> None:
    profile = _profile({"application-identifier": in_profile})
    found = compare({"application-identifier": claimed}, profile, now=BEFORE_EXPIRY)
    assert _kinds(found) == ([] if ok else [("value-mismatch", "application-identifier")])


def test_application_identifier_prefix_is_named() -> None:
    found = compare(
        {"application-identifier": "ZZZZZ99999.com.example.app"}, _app_store(), now=BEFORE_EXPIRY
    )
    assert _kinds(found) == [("value-mismatch", "application-identifier")]
    assert "prefix `ZZZZZ99999`" in found[0].message
    assert "`ABCDE12345`" in found[0].message


def test_bundle_identifier_covered_by_wildcard_app_id() -> None:
    profile = _profile({"application-identifier": "ABCDE12345.com.example.*"})
    assert compare({}, profile, now=BEFORE_EXPIRY, bundle_identifier="com.example.widget") == []
    found = compare({}, profile, now=BEFORE_EXPIRY, bundle_identifier="org.other.app")
    assert _kinds(found) == [("value-mismatch", "application-identifier")]
    assert found[0].details == {
        "bundle_identifier": "org.other.app",
        "allowed": "ABCDE12345.com.example.*",
    }


def test_keychain_groups_subset_and_wildcard_claims() -> None:
    claims = {"keychain-access-groups": ["ABCDE12345.ok", "OTHERTEAM.bad", "ABCDE12345.*"]}
    found = compare(claims, _app_store(), now=BEFORE_EXPIRY)
    assert [(m.kind, m.details.get("wildcard"), m.details.get("missing")) for m in found] == [
        ("value-mismatch", "ABCDE12345.*", None),
        ("value-mismatch", None, ["OTHERTEAM.bad"]),
    ]
    assert "wildcards are not expected" in found[0].message
    assert "`OTHERTEAM.bad`" in found[1].message


def test_app_groups_are_exact_on_ios() -> None:
    found = compare(
        {"com.apple.security.application-groups": ["group.com.example.other"]},
        _app_store(),
        now=BEFORE_EXPIRY,
    )
    assert found[0].details["missing"] == ["group.com.example.other"]


def test_associated_domains_against_a_list() -> None:
    profile = _profile(
        {"com.apple.developer.associated-domains": ["applinks:example.com", "applinks:*.ex.org"]}
    )
    claims = {
        "com.apple.developer.associated-domains": [
            "applinks:example.com",
            "applinks:*.ex.org",
            "applinks:evil.com",
        ]
    }
    found = compare(claims, profile, now=BEFORE_EXPIRY)
    assert [m.details.get("missing") for m in found] == [["applinks:evil.com"]]


def test_icloud_containers_subset() -> None:
    claims = {
        "com.apple.developer.icloud-container-identifiers": [
            "iCloud.com.example.app",
            "iCloud.com.example.other",
        ]
    }
    found = compare(claims, _app_store(), now=BEFORE_EXPIRY)
    assert found[0].details["missing"] == ["iCloud.com.example.other"]


@pytest.mark.parametrize(
    ("key", "claimed", "ok"),
    [
        ("aps-environment", "production", True),
        ("aps-environment", "development", False),
        ("com.apple.developer.icloud-container-environment", "Production", True),
        ("com.apple.developer.icloud-container-environment", "Staging", False),
        ("com.apple.developer.nfc.readersession.formats", ["NDEF"], True),
        ("com.apple.developer.nfc.readersession.formats", ["PACE"], False),
        ("com.apple.developer.healthkit", True, True),
        ("com.apple.developer.healthkit", False, True),
        ("com.apple.developer.healthkit.access", ["health-records"], False),
        ("com.apple.developer.ubiquity-kvstore-identifier", "OTHER.com.example", False),
    ],
)
def test_values_equal_or_in_list(key: str, claimed: object, ok: bool) -> None:
    found = compare({key: claimed}, _app_store(), now=BEFORE_EXPIRY)
    assert _kinds(found) == ([] if ok else [("value-mismatch", key)])


def test_debug_entitlement_against_distribution_profile() -> None:
    found = compare({"get-task-allow": True}, _app_store(), now=BEFORE_EXPIRY)
    assert found == [
        Mismatch(
            "debug-in-distribution",
            "get-task-allow",
            "`get-task-allow` is true but profile 'iOS Team Provisioning Profile: "
            "com.example.app' is for app-store distribution: only development builds may be "
            "debuggable",
            {"claimed": True, "distribution": "app-store"},
        )
    ]


def test_debug_entitlement_with_development_profile_is_fine() -> None:
    profile = _profile()
    assert profile.distribution == "development"
    assert compare({"get-task-allow": True}, profile, now=BEFORE_EXPIRY) == []


def test_beta_reports_active() -> None:
    development = _profile()
    found = compare({"beta-reports-active": True}, development, now=BEFORE_EXPIRY)
    assert _kinds(found) == [("beta-reports-active", "beta-reports-active")]
    assert "does not have it" in found[0].message
    store = _profile(dict(APP_STORE, **{"beta-reports-active": False}), ProvisionedDevices=None)
    found = compare({"beta-reports-active": True}, store, now=BEFORE_EXPIRY)
    assert found[0].details == {"claimed": True, "profile": False}
    assert compare({"beta-reports-active": True}, _app_store(), now=BEFORE_EXPIRY) == []


def test_macos_unrestricted_keys_need_no_profile() -> None:
    mac = _profile(
        {"com.apple.application-identifier": "ABCDE12345.com.example.mac"},
        Platform=["OSX"],
        ProvisionedDevices=None,
        ProvisionsAllDevices=True,
    )
    assert mac.distribution == "developer-id"
    claims = {
        "com.apple.application-identifier": "ABCDE12345.com.example.mac",
        "com.apple.security.app-sandbox": True,
        "com.apple.security.application-groups": ["ABCDE12345.group"],
        "com.apple.security.cs.allow-jit": True,
        "com.apple.security.get-task-allow": True,
        "com.apple.developer.icloud-services": ["CloudKit"],
    }
    found = compare(claims, mac, now=BEFORE_EXPIRY)
    assert _kinds(found) == [
        ("debug-in-distribution", "com.apple.security.get-task-allow"),
        ("not-in-profile", "com.apple.developer.icloud-services"),
    ]


def test_profile_wildcards_are_not_offered_as_values() -> None:
    profile = _profile({"keychain-access-groups": ["ABCDE12345.*"]})
    found = compare({"keychain-access-groups": ["XYZ.a"]}, profile, now=BEFORE_EXPIRY)
    assert found[0].message.endswith("(it allows `ABCDE12345.*`)")
    assert "claims `XYZ.a`" in found[0].message


@pytest.mark.parametrize(
    ("claimed", "allowed", "wildcards", "expected"),
    [
        ("a.b", "a.b", False, True),
        ("a.b", "a.*", False, False),
        ("a.b", "a.*", True, True),
        ("a.b", "*", True, True),
        ("b.a", "a.*", True, False),
    ],
)
def test_does_id_match_follows_plisttool(
    claimed: str, allowed: str, wildcards: bool, expected: bool
) -> None:
    assert does_id_match(claimed, allowed, allowed_supports_wildcards=wildcards) is expected


def test_mismatch_is_frozen_and_hashable() -> None:
    mismatch = Mismatch("expired", None, "m", {"a": 1})
    assert hash(mismatch) == hash(Mismatch("expired", None, "m", {"b": 2}))
    with pytest.raises(AttributeError):
        mismatch.kind = "x"  # type: ignore[misc]


def test_build_setting_references_are_expanded_or_skipped() -> None:
    claims = {
        "keychain-access-groups": [
            "$(AppIdentifierPrefix)com.example.shared",
            "$(UNKNOWN_SETTING).group",
        ],
        "application-identifier": "$(AppIdentifierPrefix)$(PRODUCT_BUNDLE_IDENTIFIER)",
        "com.apple.developer.ubiquity-kvstore-identifier": "$(TeamIdentifierPrefix)"
        + "$(CFBundleIdentifier)",
        "com.apple.developer.icloud-container-identifiers": ["iCloud.${OTHER}"],
    }
    profile = _app_store()
    assert compare(claims, profile, now=BEFORE_EXPIRY, bundle_identifier="com.example.app") == []
    # Without the bundle identifier the app ID cannot be expanded, so it is not compared.
    assert compare(claims, profile, now=BEFORE_EXPIRY) == []
    wrong = {"keychain-access-groups": ["$(TeamIdentifierPrefix)ok", "$(AppIdentifierPrefix)"]}
    other_team = _profile({"keychain-access-groups": ["ZZZZZ99999.*"]})
    found = compare(wrong, other_team, now=BEFORE_EXPIRY)
    assert found[0].details["missing"] == ["ABCDE12345.ok", "ABCDE12345."]


def test_a_value_nested_to_the_depth_limit_is_compared_without_a_recursion_error() -> None:
    """Comparing with a profile walks values recursively; the reader's depth limit keeps that
    walk far from Python's recursion limit (a value nested 510 deep used to end in an
    internal error)."""
    from entitlements_db import load
    from entitlements_lint import _settings
    from entitlements_lint.engine import lint_bytes
    from entitlements_lint.limits import MAX_DEPTH

    value: object = "x"
    for _ in range(MAX_DEPTH - 1):  # the root dict is the last level
        value = [value]
    data = plistlib.dumps({"keychain-access-groups": value}, fmt=plistlib.FMT_BINARY)
    result = lint_bytes(data, "A.entitlements", _settings("A.entitlements", None, None), load(),
                        profile=_profile(APP_STORE))
    assert not result.failed
    assert "keychain-access-groups" in {f.key for f in result.findings}
    deeper = plistlib.dumps({"keychain-access-groups": [value]}, fmt=plistlib.FMT_BINARY)
    refused = lint_bytes(deeper, "A.entitlements", _settings("A.entitlements", None, None), load(),
                         profile=_profile(APP_STORE))
    assert [(f.code, f.message) for f in refused.findings] == [
        ("ENT101", f"property list is nested deeper than {MAX_DEPTH} levels")]
