"""Provisioning profiles: fields, distribution type, expiry and bad input."""

from __future__ import annotations

import datetime
import plistlib

import pytest
from entitlements_lint.errors import InputError
from entitlements_lint.artefacts.profiles import Profile, read_profile
from signing_builders import (
    INSTALL_OPENSSL,
    SIGNER_NAME,
    hand_signed_data,
    openssl_available,
    openssl_sign,
    profile_dict,
    sign_cms,
    signed_profile,
)

UTC = datetime.timezone.utc


def test_every_field_is_read() -> None:
    data = signed_profile()
    profile = read_profile(data, "dev.mobileprovision")
    assert profile == Profile(
        path="dev.mobileprovision",
        name="iOS Team Provisioning Profile: com.example.app",
        uuid="5F2C1D8E-1234-4ABC-9DEF-0123456789AB",
        team_identifiers=("ABCDE12345",),
        team_name="Example Corp",
        app_id_name="Example App",
        application_identifier_prefixes=("ABCDE12345",),
        platforms=("iOS", "xrOS"),
        creation_date=datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        expiration_date=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        devices=("00008110-001A2B3C4D5E6F70", "00008030-000000000000002E"),
        provisions_all_devices=False,
        entitlements=profile_dict()["Entitlements"],  # type: ignore[arg-type]
        is_xcode_managed=True,
        plist=plistlib.dumps(profile_dict()),
        signer_common_name=SIGNER_NAME,
    )
    assert profile.application_identifier == "ABCDE12345.com.example.app"
    assert profile.get_task_allow is True
    assert profile.distribution == "development"
    assert profile.is_macos is False


@pytest.mark.skipif(not openssl_available(), reason=INSTALL_OPENSSL)
def test_ber_indefinite_profile_from_openssl_stream(tmp_path) -> None:
    content = plistlib.dumps(profile_dict(Name="Streamed"))
    profile = read_profile(openssl_sign(content, tmp_path, stream=True))
    assert profile.name == "Streamed"
    assert profile.plist == content


def test_binary_plist_content_and_chunked_ber() -> None:
    content = plistlib.dumps(profile_dict(Name="Binary"), fmt=plistlib.FMT_BINARY)
    profile = read_profile(hand_signed_data(content, indefinite=True, chunk=100))
    assert profile.name == "Binary"
    assert profile.signer_common_name is None


def test_unsigned_plist_is_accepted() -> None:
    """``security cms -D`` output (the decoded plist) reads the same as the signed file."""
    profile = read_profile(plistlib.dumps(profile_dict()))
    assert profile.uuid == "5F2C1D8E-1234-4ABC-9DEF-0123456789AB"
    assert profile.signer_common_name is None


def _entitlements(**changes: object) -> dict[str, object]:
    entitlements = dict(profile_dict()["Entitlements"])  # type: ignore[call-overload]
    for key, value in changes.items():
        key = key.replace("_", "-")
        if value is None:
            entitlements.pop(key, None)
        else:
            entitlements[key] = value
    return entitlements


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "development"),
        # development by aps-environment even without get-task-allow
        ({"Entitlements": _entitlements(get_task_allow=None)}, "development"),
        (
            {"Entitlements": _entitlements(get_task_allow=False, aps_environment="production")},
            "ad-hoc",
        ),
        (
            {
                "ProvisionedDevices": None,
                "Entitlements": _entitlements(
                    get_task_allow=False, aps_environment="production", beta_reports_active=True
                ),
            },
            "app-store",
        ),
        (
            {
                "ProvisionedDevices": None,
                "ProvisionsAllDevices": True,
                "Entitlements": _entitlements(get_task_allow=False, aps_environment="production"),
            },
            "in-house",
        ),
        (
            {
                "ProvisionedDevices": None,
                "ProvisionsAllDevices": True,
                "Platform": ["OSX"],
                "Entitlements": {"com.apple.application-identifier": "ABCDE12345.com.example.mac"},
            },
            "developer-id",
        ),
        (
            {
                "Platform": ["OSX"],
                "Entitlements": {"com.apple.application-identifier": "ABCDE12345.com.example.mac"},
            },
            "development",
        ),
        (
            {
                "Platform": ["OSX"],
                "ProvisionedDevices": None,
                "Entitlements": {"com.apple.application-identifier": "ABCDE12345.com.example.mac"},
            },
            "app-store",
        ),
    ],
    ids=[
        "dev",
        "dev-by-aps",
        "ad-hoc",
        "app-store",
        "in-house",
        "developer-id",
        "mac-dev",
        "mac-app-store",
    ],
)
def test_distribution_is_derived(overrides: dict[str, object], expected: str) -> None:
    profile = read_profile(plistlib.dumps(profile_dict(**overrides)))
    assert profile.distribution == expected


def test_mac_profile_application_identifier() -> None:
    profile = read_profile(
        plistlib.dumps(
            profile_dict(
                Platform=["OSX"],
                Entitlements={"com.apple.application-identifier": "ABCDE12345.com.example.mac"},
            )
        )
    )
    assert profile.is_macos
    assert profile.application_identifier == "ABCDE12345.com.example.mac"


def test_is_expired() -> None:
    profile = read_profile(signed_profile())
    expiry = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert profile.is_expired(expiry - datetime.timedelta(seconds=1)) is False
    assert profile.is_expired(expiry) is True
    assert profile.is_expired(datetime.datetime(2026, 1, 2, 3, 4, 4)) is False  # naive = UTC
    assert profile.is_expired(datetime.datetime(2030, 1, 1, tzinfo=UTC)) is True
    no_expiry = read_profile(plistlib.dumps(profile_dict(ExpirationDate=None)))
    assert no_expiry.is_expired() is False


def test_profile_is_hashable_and_frozen() -> None:
    profile = read_profile(signed_profile())
    with pytest.raises(AttributeError):
        profile.name = "x"  # type: ignore[misc]
    assert hash(profile) == hash(read_profile(signed_profile()))


def test_cms_around_something_else() -> None:
    with pytest.raises(
        InputError, match=r"^p\.mobileprovision \(signed content\): not a valid property list"
    ):
        read_profile(sign_cms(b"hello, not a plist"), "p.mobileprovision")


def test_plist_without_entitlements() -> None:
    with pytest.raises(InputError, match="no Entitlements dictionary"):
        read_profile(sign_cms(plistlib.dumps({"Name": "x"})))


def test_plist_that_is_not_a_dictionary() -> None:
    with pytest.raises(InputError, match="not a dictionary"):
        read_profile(sign_cms(plistlib.dumps(["a"])))


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("TeamIdentifier", "ABCDE12345", "an array of strings"),
        ("ProvisionedDevices", [1, 2], "an array of strings"),
        ("Name", 3, "a string"),
        ("ProvisionsAllDevices", "yes", "a boolean"),
        ("ExpirationDate", "tomorrow", "a date"),
    ],
)
def test_wrong_types_name_the_key(key: str, value: object, expected: str) -> None:
    with pytest.raises(InputError, match=f"{key} should be {expected}"):
        read_profile(sign_cms(plistlib.dumps(profile_dict(**{key: value}))))


def test_truncated_profile() -> None:
    data = signed_profile()
    with pytest.raises(InputError, match=r"^x: not a provisioning profile \("):
        read_profile(data[: len(data) // 2], "x")


def test_der_that_is_not_a_profile() -> None:
    with pytest.raises(InputError, match="not a provisioning profile"):
        read_profile(b"\x30\x03\x02\x01\x01")
