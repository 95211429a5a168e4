"""Built products signed from the real-world-2 fixtures lint clean.

A signature's entitlements hold what code signing wrote: the source file's keys with
`$(AppIdentifierPrefix)` expanded, plus the profile's `application-identifier`, team
identifier, `get-task-allow` and `beta-reports-active`. Those keys are right there, so
profile-owned-key (ENT009) must not report them, and no finding on a signature offers a fix.
"""

from __future__ import annotations

import json
import plistlib
from pathlib import Path

import pytest
from entitlements_lint.cli_check import main
from signing_builders import der_entitlements, macho

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real-world-2"
TEAM = "ABCDE12345"


def _signed(source: str, profile: str, identifier: str, store: bool) -> dict[str, object]:
    """The entitlements code signing writes for ``source`` with ``profile``'s identity keys."""
    text = (FIXTURES / source).read_text()
    text = text.replace("$(AppIdentifierPrefix)", f"{TEAM}.").replace("$(TeamIdentifierPrefix)", f"{TEAM}.")
    claimed = plistlib.loads(text.encode())
    ids = {"com.apple.developer.team-identifier": TEAM}
    if profile.endswith(".provisionprofile"):
        ids["com.apple.application-identifier"] = f"{TEAM}.{identifier}"
    else:
        ids.update({"application-identifier": f"{TEAM}.{identifier}", "get-task-allow": False})
        if store:
            ids["beta-reports-active"] = True
    return {**claimed, **ids}


def _bundle(folder: Path, executable: str, identifier: str, entitlements: dict[str, object], profile: str,
            mac: bool, info: dict[str, object] | None = None) -> None:
    contents = folder / "Contents" if mac else folder
    binary = contents / "MacOS" / executable if mac else contents / executable
    binary.parent.mkdir(parents=True, exist_ok=True)
    binary.write_bytes(macho(plistlib.dumps(entitlements), der_entitlements(entitlements)))
    plist = {"CFBundleExecutable": executable, "CFBundleIdentifier": identifier, **(info or {})}
    (contents / "Info.plist").write_bytes(plistlib.dumps(plist))
    name = "embedded.provisionprofile" if mac else "embedded.mobileprovision"
    (contents / name).write_bytes((FIXTURES / profile).read_bytes())


def _lint(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    code = main(["--isolated", "--format", "json", "--exit-zero", *argv])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)["findings"]


def test_an_app_store_app_with_its_app_clip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = tmp_path / "Parking.app"
    profile = "app-clip-parking/profiles/Parking_AppStore.mobileprovision"
    clip_profile = "app-clip-parking/profiles/ParkingClip_AppStore.mobileprovision"
    ios = {"UIDeviceFamily": [1, 2], "MinimumOSVersion": "17.0"}
    _bundle(app, "Parking", "com.example.parking",
            _signed("app-clip-parking/Parking/Parking.entitlements", profile, "com.example.parking", True),
            profile, mac=False, info=ios)
    _bundle(app / "AppClips" / "ParkingClip.app", "ParkingClip", "com.example.parking.Clip",
            _signed("app-clip-parking/ParkingClip/ParkingClip.entitlements", clip_profile,
                    "com.example.parking.Clip", True),
            clip_profile, mac=False, info=ios)
    assert [(f["path"], f["code"], f["message"]) for f in _lint(capsys, str(app))] == []


def test_a_developer_id_app_with_its_system_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = tmp_path / "Shield.app"
    profile = "mac-sysext-devid/profiles/Shield_DeveloperID.provisionprofile"
    monitor = "mac-sysext-devid/profiles/ShieldMonitor_DeveloperID.provisionprofile"
    mac = {"LSMinimumSystemVersion": "12.0"}
    _bundle(app, "Shield", "com.example.shield",
            _signed("mac-sysext-devid/Shield/Shield.entitlements", profile, "com.example.shield", False),
            profile, mac=True, info=mac)
    extension = app / "Contents" / "Library" / "SystemExtensions" / "com.example.shield.monitor.systemextension"
    _bundle(extension, "com.example.shield.monitor", "com.example.shield.monitor",
            _signed("mac-sysext-devid/ShieldMonitor/ShieldMonitor.entitlements", monitor,
                    "com.example.shield.monitor", False),
            monitor, mac=True, info=mac)
    assert [(f["path"], f["code"], f["message"]) for f in _lint(capsys, str(app))] == []


def test_the_same_keys_in_a_source_file_are_still_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Why ENT009 stays for files: a hand-written application identifier goes stale."""
    profile = "app-clip-parking/profiles/Parking_AppStore.mobileprovision"
    source = tmp_path / "Parking.entitlements"
    source.write_bytes(plistlib.dumps(
        _signed("app-clip-parking/Parking/Parking.entitlements", profile, "com.example.parking", True)))
    owned = [f for f in _lint(capsys, str(source)) if f["code"] == "ENT009"]
    assert {f["key"] for f in owned} == {
        "application-identifier", "com.apple.developer.team-identifier", "get-task-allow", "beta-reports-active"}
    assert all("fix" in f for f in owned)


def test_a_finding_on_a_signature_offers_no_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A debuggable build signed with an App Store profile is still an error, but there is no
    file to edit: the README promises no fixes for built products."""
    profile = "app-clip-parking/profiles/Parking_AppStore.mobileprovision"
    entitlements = _signed("app-clip-parking/Parking/Parking.entitlements", profile, "com.example.parking", True)
    entitlements["get-task-allow"] = True
    app = tmp_path / "Parking.app"
    _bundle(app, "Parking", "com.example.parking", entitlements, profile, mac=False, info={"UIDeviceFamily": [1]})
    found = _lint(capsys, str(app))
    assert {f["code"] for f in found} >= {"ENT010"}
    assert [f for f in found if "fix" in f] == []
