"""Correct files in the shapes real apps ship must lint clean (only `info` notes).

The fixtures (tests/fixtures/real-world, our own files) were linted as a new user would; each
false positive found then is fixed in data or rules and pinned here, so it cannot come back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from entitlements_lint.rules.distribution import _offered
from real_world_corpus import Corpus, standard_tests

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "real-world"

#: Keys Apple must approve: the one finding a correct file may get (ENT008, info).
MANAGED = {
    "driverkit/SerialDriver/SerialDriver.entitlements": [
        "com.apple.developer.driverkit", "com.apple.developer.driverkit.transport.usb",
        "com.apple.developer.driverkit.family.serial"],
    "driverkit/SerialDriverHost/SerialDriverHost.entitlements": ["com.apple.developer.driverkit.userclient-access"],
    "ios-carplay/Podcasts/Podcasts.entitlements": ["com.apple.developer.carplay-audio"],
    "ios-screentime/Focus/Focus.entitlements": ["com.apple.developer.family-controls"],
    "ios-wallet/Bank/Bank.entitlements": ["com.apple.developer.payment-pass-provisioning"],
    "ios-walkie/Walkie/Walkie.entitlements": ["com.apple.developer.usernotifications.critical-alerts"],
    "ios-home-hub/HubApp/HubApp.entitlements": [
        "com.apple.developer.networking.multicast", "com.apple.developer.contacts.notes"],
    "mac-endpoint-security/SentinelExtension/SentinelExtension.entitlements": [
        "com.apple.developer.endpoint-security.client"],
    "notification-service/NotificationService/NotificationService.entitlements": [
        "com.apple.developer.usernotifications.filtering"],
    "visionos-enterprise/Inspector/Inspector.entitlements": [
        "com.apple.developer.arkit.main-camera-access.allow", "com.apple.developer.arkit.barcode-detection.allow"],
    "xcode-multitarget/TrackerDriver/TrackerDriver.entitlements": [
        "com.apple.developer.driverkit", "com.apple.developer.driverkit.transport.usb"],
}

#: Each folder with the options its targets are built with (None: entlint infers them).
RUNS = [
    ("mac-app-store-notes", ["macOS"], "app-store"),
    ("mac-app-store-photo", ["macOS"], "app-store"),
    ("mac-documents", ["macOS"], "app-store"),
    ("mac-music", ["macOS"], "app-store"),
    ("mac-weather", ["macOS"], "app-store"),
    ("mac-vm", ["macOS"], "developer-id"),
    ("safari-web-extension", ["macOS"], "app-store"),
    ("developer-id-ide", ["macOS"], "developer-id"),
    ("mac-debugger", ["macOS"], "developer-id"),
    ("mac-endpoint-security", ["macOS"], "developer-id"),
    ("network-extension-macos", ["macOS"], "developer-id"),
    ("network-extension-macos", ["macOS"], "app-store"),
    ("driverkit", ["macOS"], "developer-id"),
    ("ios-everything", ["iOS"], "app-store"),
    ("ios-carplay", ["iOS"], "app-store"),
    ("ios-home-hub", ["iOS"], "app-store"),
    ("ios-password-manager", ["iOS"], "app-store"),
    ("ios-screentime", ["iOS"], "app-store"),
    ("ios-walkie", ["iOS"], "app-store"),
    ("ios-wallet", ["iOS"], "app-store"),
    ("network-extension-ios", ["iOS"], "app-store"),
    ("widget-extension", ["iOS"], "app-store"),
    ("notification-service", ["iOS"], "app-store"),
    ("share-extension", ["iOS"], "app-store"),
    ("app-clip", ["iOS"], "app-store"),
    ("watchos-workout", ["watchOS"], "app-store"),
    ("tvos-game", ["tvOS"], "app-store"),
    ("visionos-app", ["visionOS"], "app-store"),
    ("visionos-enterprise", ["visionOS"], "in-house"),
    ("mac-catalyst", ["iOS", "macCatalyst"], "app-store"),
    ("mac-catalyst", ["macCatalyst"], None),
    ("multiplatform-swiftui", ["iOS", "macOS"], "app-store"),
    ("xcode-multitarget/Tracker.xcodeproj", None, "app-store"),
]
CORPUS = Corpus(ROOT, MANAGED, RUNS)
FOLDERS = CORPUS.folders
findings = CORPUS.findings
(test_every_folder_is_run_with_its_options, test_a_correct_folder_gets_no_warning_without_options,
 test_a_correct_folder_gets_no_warning_with_its_options, test_the_managed_notes_are_all_there) = standard_tests(CORPUS)


def test_background_location_with_when_in_use_only(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Why: the `location` background mode asked for NSLocationAlwaysAndWhenInUseUsageDescription,
    but background updates work with when-in-use authorization (Core Location)."""
    info = (ROOT / "ios-everything" / "Fitness" / "Info.plist").read_text()
    assert "<string>location</string>" in info and "NSLocationAlwaysAndWhenInUse" not in info
    assert [f for f in findings(capsys, monkeypatch, "ios-everything", ["iOS"]) if f["code"] == "ENT201"] == []


def test_a_read_only_healthkit_target_needs_no_writing_string(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Why: HealthKit asked every app for both purpose strings; a read-only app has only
    NSHealthShareUsageDescription (the visionOS target sets only that build setting)."""
    pbxproj = (ROOT / "xcode-multitarget" / "Tracker.xcodeproj" / "project.pbxproj").read_text()
    vision = pbxproj[pbxproj.index("SDKROOT = xros"):][:400]
    assert "NSHealthShareUsageDescription" in vision and "NSHealthUpdateUsageDescription" not in vision
    found = findings(capsys, monkeypatch, "xcode-multitarget/Tracker.xcodeproj")
    assert [f for f in found if f["code"] == "ENT201"] == []


def test_a_usb_driver_for_ipados(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Why: USB and PCI transports were macOS-only, but iPadOS 16 drivers use USBDriverKit and
    PCIDriverKit. A family no iPadOS source names (serial) is still a warning."""
    found = findings(capsys, monkeypatch, "driverkit/SerialDriver", ["iPadOS"], "app-store")
    platform = {f["key"] for f in found if f["code"] == "ENT006" and f["severity"] == "warning"}
    assert platform == {"com.apple.developer.driverkit.family.serial"}


def test_the_approval_note_lists_only_the_platforms_distributions(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Why: an iOS file was told Critical Alerts need approval for Developer ID distribution,
    and a Mac driver for ad hoc: neither platform has that distribution."""
    [ios] = [f for f in findings(capsys, monkeypatch, "ios-walkie", ["iOS"]) if f["code"] == "ENT008"]
    assert "development, ad-hoc, app-store, in-house distribution" in ios["message"]
    assert "developer-id" not in ios["message"]
    mac = [f for f in findings(capsys, monkeypatch, "driverkit", ["macOS"]) if f["code"] == "ENT008"]
    assert mac and all("ad-hoc" not in f["message"] for f in mac)
    assert "app-store, in-house, developer-id distribution" in mac[0]["message"]
    # both platforms: both distributions, and nothing is said to be assumed
    both = [f for f in findings(capsys, monkeypatch, "ios-walkie", ["iOS", "macOS"]) if f["code"] == "ENT008"]
    assert "ad-hoc" in both[0]["message"] and "developer-id" in both[0]["message"]
    assert "assuming" not in both[0]["message"]


def test_an_inferred_platform_narrowing_the_note_says_so(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    notes = [f for f in findings(capsys, monkeypatch, "driverkit/SerialDriver") if f["code"] == "ENT008"]
    narrowed = [f for f in notes if f["key"] == "com.apple.developer.driverkit"]
    assert narrowed and "assuming macOS" in narrowed[0]["message"] and "ad-hoc" not in narrowed[0]["message"]


@pytest.mark.parametrize(("distribution", "platforms", "offered"), [
    ("developer-id", ("iOS",), False),
    ("developer-id", ("iOS", "macCatalyst"), True),
    ("ad-hoc", ("macOS",), False),
    ("ad-hoc", ("macCatalyst",), False),
    ("ad-hoc", ("watchOS",), True),
    ("app-store", ("macOS",), True),
    ("developer-id", None, True),
])
def test_which_platforms_have_a_distribution(distribution: str, platforms: tuple[str, ...] | None,
                                             offered: bool) -> None:
    assert _offered(distribution, platforms) is offered
