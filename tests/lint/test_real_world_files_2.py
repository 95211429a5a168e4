"""A second set of correct files, of other target kinds, must lint clean (only `info` notes).

The fixtures (tests/fixtures/real-world-2, our own files) cover login items, XPC services,
privileged helpers, temporary sandbox exceptions, many iOS extension points, File Provider,
credential provider and Spotlight importer targets, an App Clip, CarPlay navigation, Wallet,
System and Network Extensions for Developer ID, enterprise apps, a Mac Catalyst project with a
`[sdk=macosx*]` entitlements file, tvOS and watchOS extensions. Each false positive found
when they were first linted is fixed in data or rules and pinned here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lint_helpers import check
from real_world_corpus import Corpus, standard_tests

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "real-world-2"

#: Keys Apple must approve: the one finding a correct file may get (ENT008, info).
MANAGED = {
    "ios-carplay-nav/Routes/Routes.entitlements": ["com.apple.developer.carplay-maps"],
    "mac-sysext-devid/ShieldMonitor/ShieldMonitor.entitlements": ["com.apple.developer.endpoint-security.client"],
    "visionos-enterprise-2/Assembly/Assembly.entitlements": [
        "com.apple.developer.arkit.object-tracking-parameter-adjustment.allow",
        "com.apple.developer.app-compute-category"],
}

#: Each folder with the options its targets are built with (None: entlint infers them).
RUNS = [
    ("mac-login-item", ["macOS"], "app-store"),
    ("mac-login-item", ["macOS"], "developer-id"),
    ("mac-privileged-helper", ["macOS"], "developer-id"),
    ("mac-xpc-service", ["macOS"], "app-store"),
    ("mac-app-store-exceptions", ["macOS"], "app-store"),
    ("mac-file-provider", ["macOS"], "app-store"),
    ("mac-credential-provider", ["macOS"], "app-store"),
    ("mac-spotlight-importer", ["macOS"], "app-store"),
    ("mac-sign-in-with-apple", ["macOS"], "app-store"),
    ("mac-sysext-devid", ["macOS"], "developer-id"),
    ("mac-virtualization-store", ["macOS"], "app-store"),
    ("mac-game", ["macOS"], "app-store"),
    ("safari-web-extension-multi", ["iOS", "macOS"], "app-store"),
    ("safari-web-extension-multi", ["macOS"], "app-store"),
    ("safari-web-extension-ios", ["iOS"], "app-store"),
    ("ios-extensions", ["iOS"], "app-store"),
    ("ios-file-provider", ["iOS"], "app-store"),
    ("app-clip-parking", ["iOS"], "app-store"),
    ("ios-carplay-nav", ["iOS"], "app-store"),
    ("ios-wallet-tickets", ["iOS", "watchOS"], "app-store"),
    ("ios-wallet-tickets/Tickets Watch App", ["watchOS"], "app-store"),
    ("ios-enterprise", ["iOS"], "in-house"),
    ("visionos-enterprise-2", ["visionOS"], "in-house"),
    ("tvos-top-shelf", ["tvOS"], "app-store"),
    ("watchos-widget", ["watchOS"], "app-store"),
    ("mac-catalyst-sdk", None, "app-store"),
    ("mac-catalyst-sdk/Studio.xcodeproj", None, "app-store"),
    ("mac-catalyst-sdk/Studio.xcodeproj", None, None),
]
CORPUS = Corpus(ROOT, MANAGED, RUNS)
FOLDERS = CORPUS.folders
findings = CORPUS.findings
(test_every_folder_is_run_with_its_options, test_a_correct_folder_gets_no_warning_without_options,
 test_a_correct_folder_gets_no_warning_with_its_options, test_the_managed_notes_are_all_there) = standard_tests(CORPUS)


def test_the_catalyst_project_splits_its_files_by_sdk(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """HealthKit (not on the Mac) sits in the iOS file, App Sandbox keys in the
    `[sdk=macosx*]` file: neither gets a platform finding through the project."""
    ios = (ROOT / "mac-catalyst-sdk" / "Studio" / "Studio.entitlements").read_text()
    mac = (ROOT / "mac-catalyst-sdk" / "Studio" / "Studio-macOS.entitlements").read_text()
    assert "com.apple.developer.healthkit" in ios and "app-sandbox" not in ios
    assert "app-sandbox" in mac and "healthkit" not in mac
    found = findings(capsys, monkeypatch, "mac-catalyst-sdk/Studio.xcodeproj", None, "app-store")
    assert [f for f in found if f["code"] == "ENT006"] == []


#: Each profile (an unsigned profile plist, as `entlint` reads one) with the targets it signs.
PROFILES = [
    ("ios-enterprise/profiles/FieldService_InHouse.mobileprovision", ["ios-enterprise/FieldService"]),
    ("app-clip-parking/profiles/Parking_AppStore.mobileprovision", ["app-clip-parking/Parking"]),
    ("app-clip-parking/profiles/ParkingClip_AppStore.mobileprovision", ["app-clip-parking/ParkingClip"]),
    ("ios-wallet-tickets/profiles/Tickets_AppStore.mobileprovision", ["ios-wallet-tickets/Tickets"]),
    ("ios-carplay-nav/profiles/Routes_AppStore.mobileprovision", ["ios-carplay-nav/Routes"]),
    ("mac-sign-in-with-apple/profiles/Recipes_MacAppStore.provisionprofile", ["mac-sign-in-with-apple/Recipes"]),
    ("mac-sysext-devid/profiles/Shield_DeveloperID.provisionprofile",
     ["mac-sysext-devid/Shield", "mac-sysext-devid/ShieldProxy"]),
    ("mac-sysext-devid/profiles/ShieldMonitor_DeveloperID.provisionprofile", ["mac-sysext-devid/ShieldMonitor"]),
    ("mac-game/profiles/Raiders_Development.provisionprofile", ["mac-game/Raiders"]),
]


def _with_profile(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, profile: str,
                  targets: list[str]) -> list[dict]:
    monkeypatch.chdir(ROOT)
    code, out, err = check(["--isolated", "--format", "json", "--exit-zero", "--profile", profile, *targets], capsys)
    assert code == 0, err
    return json.loads(out)["findings"]


def test_every_profile_is_compared() -> None:
    assert {p for p, _ in PROFILES} == {str(p.relative_to(ROOT)) for p in ROOT.glob("*/profiles/*")}


@pytest.mark.parametrize(("profile", "targets"), PROFILES, ids=[p.split("/")[-1] for p, _ in PROFILES])
def test_a_matching_profile_finds_nothing(profile: str, targets: list[str], capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Team-prefixed values against `TEAMID.*` and `*` grants, `$(AppIdentifierPrefix)` values,
    sandbox keys no Mac profile lists, and managed keys the profile already carries."""
    assert [(f["path"], f["code"], f["message"]) for f in _with_profile(capsys, monkeypatch, profile, targets)] == []


def test_a_managed_key_the_profile_carries_gets_no_approval_note(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Why: `--profile` with a profile that carries CarPlay still said the key needs Apple's
    approval; the profile is the proof it was granted. A profile without it still gets both."""
    assert _with_profile(capsys, monkeypatch, "ios-carplay-nav/profiles/Routes_AppStore.mobileprovision",
                         ["ios-carplay-nav/Routes"]) == []
    other = _with_profile(capsys, monkeypatch, "ios-wallet-tickets/profiles/Tickets_AppStore.mobileprovision",
                          ["ios-carplay-nav/Routes"])
    codes = {(f["code"], f["key"]) for f in other}
    assert ("ENT008", "com.apple.developer.carplay-maps") in codes
    assert ("ENT300", "com.apple.developer.carplay-maps") in codes


def test_a_development_only_key_is_reported_in_a_distributed_build(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Why: File Provider testing mode is granted to development builds only, but a file
    claiming it was clean for the App Store. It is fine in development, and without a
    distribution nothing is assumed."""
    source = ROOT / "mac-file-provider" / "DriveProvider" / "DriveProvider.entitlements"
    key = "com.apple.developer.fileprovider.testing-mode"
    debug = tmp_path / "DriveProvider-Debug.entitlements"
    debug.write_text(source.read_text().replace("<dict>\n", f"<dict>\n\t<key>{key}</key>\n\t<true/>\n", 1))
    store = findings(capsys, monkeypatch, str(debug), ["macOS"], "app-store")
    assert [(f["code"], f["key"], f["severity"]) for f in store] == [("ENT010", key, "error")]
    assert "development builds only" in store[0]["message"]
    assert findings(capsys, monkeypatch, str(debug), ["macOS"], "development") == []
    assert findings(capsys, monkeypatch, str(debug), ["macOS"]) == []
