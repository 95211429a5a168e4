"""Info.plist checks, through the real `entlint check` process (issue 12): an empty purpose
string, background modes that need purpose strings, and a misspelled key."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import cli, plist

ENTITLEMENTS = plist("<key>aps-environment</key>\n<string>development</string>")


def target(tmp_path: Path, info: str) -> Path:
    """One target folder: an entitlements file and its Info.plist."""
    (tmp_path / "App.entitlements").write_bytes(ENTITLEMENTS)
    (tmp_path / "Info.plist").write_bytes(plist(info))
    return tmp_path


def concise(tmp_path: Path) -> list[str]:
    proc = cli(["--isolated", "--platform", "iOS", "--format", "concise", "."], cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout.splitlines()[:-1]  # the summary line last


@pytest.mark.parametrize("text", ["", "   ", "\t\n"], ids=["empty", "spaces", "tab-newline"])
def test_an_empty_purpose_string_is_its_own_finding(tmp_path: Path, text: str) -> None:
    """Why: an empty purpose string was reported as if the key were missing."""
    healthkit = plist("<key>com.apple.developer.healthkit</key>\n<true/>")
    (tmp_path / "App.entitlements").write_bytes(healthkit)
    (tmp_path / "Info.plist").write_bytes(plist(
        f"<key>NSHealthShareUsageDescription</key>\n<string>{text}</string>\n"
        "<key>NSHealthUpdateUsageDescription</key>\n<string>Saves workouts.</string>"
    ))
    lines = concise(tmp_path)
    assert lines == [lines[0]] and lines[0].startswith("Info.plist:6:2: ENT202 [error] purpose string "
                                                       "`NSHealthShareUsageDescription` is "), lines


@pytest.mark.parametrize("mode", ["bluetooth-central", "bluetooth-peripheral"])
def test_bluetooth_background_modes_need_the_bluetooth_purpose_string(tmp_path: Path, mode: str) -> None:
    """Why: the `bluetooth-central` background mode did not ask for NSBluetoothAlwaysUsageDescription."""
    target(tmp_path, f"<key>UIBackgroundModes</key>\n<array>\n\t<string>{mode}</string>\n</array>")
    assert concise(tmp_path) == [
        f"Info.plist:7:3: ENT201 [warning] background mode `{mode}` needs "
        "`NSBluetoothAlwaysUsageDescription` in Info.plist"
    ]
    described = target(tmp_path, f"<key>UIBackgroundModes</key>\n<array>\n\t<string>{mode}</string>\n</array>\n"
                                 "<key>NSBluetoothAlwaysUsageDescription</key>\n<string>Finds your bike lock.</string>")
    assert concise(described) == []


def test_the_location_mode_needs_the_when_in_use_string(tmp_path: Path) -> None:
    """Why: the mode asked for the Always string too, but background updates work with
    when-in-use authorization (Core Location), and the when-in-use string is needed either way."""
    modes = "<key>UIBackgroundModes</key>\n<array>\n\t<string>location</string>\n</array>\n"
    when_in_use = "<key>NSLocationWhenInUseUsageDescription</key>\n<string>Records your route.</string>\n"
    always = "<key>NSLocationAlwaysAndWhenInUseUsageDescription</key>\n<string>Records it when closed.</string>\n"
    head = "Info.plist:7:3: ENT201 [warning] background mode `location` needs "
    assert concise(target(tmp_path, modes)) == [head + "`NSLocationWhenInUseUsageDescription` in Info.plist"]
    assert concise(target(tmp_path, modes + always)) == [head + "`NSLocationWhenInUseUsageDescription` in Info.plist"]
    assert concise(target(tmp_path, modes + when_in_use)) == []
    assert concise(target(tmp_path, modes + always + when_in_use)) == []


def test_a_misspelled_info_plist_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    """Why: a misspelled Info.plist key (`NSPhotoLibraryUsageDescriptions`) went unnoticed."""
    (tmp_path / "Info.plist").write_bytes(plist(
        "<key>NSPhotoLibraryUsageDescriptions</key>\n<string>Picks a photo.</string>\n"
        "<key>MyAppServerURL</key>\n<string>https://example.com</string>"  # an app's own key: fine
    ))
    proc = cli(["--isolated", "--platform", "iOS", "Info.plist"], cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first == ("Info.plist:5:2: ENT203 [warning] `NSPhotoLibraryUsageDescriptions` is not an Info.plist "
                     "key; did you mean `NSPhotoLibraryUsageDescription`?")
    assert "MyAppServerURL" not in proc.stdout
    fixed = cli(["--isolated", "--platform", "iOS", "--unsafe-fixes", "--fix", "Info.plist"], cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert b"<key>NSPhotoLibraryUsageDescription</key>" in (tmp_path / "Info.plist").read_bytes()
