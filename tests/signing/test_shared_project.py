"""Xcode projects whose files are shared: union of platforms, SDK-conditional files,
Designed for iPad, generated Info.plists (issue 10), linted through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from entitlements_lint.artefacts.xcodeproj import (
    entitlements_platforms,
    generated_info_plist,
    platforms_for,
    read_project,
)

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
    '<plist version="1.0">\n<dict>\n'
)


def plist(body: str) -> str:
    return HEAD + body + "</dict>\n</plist>\n"


SANDBOX_AND_HEALTH = plist(
    "\t<key>com.apple.security.app-sandbox</key>\n\t<true/>\n"
    "\t<key>com.apple.security.network.client</key>\n\t<true/>\n"
    "\t<key>com.apple.developer.healthkit</key>\n\t<true/>\n"
)


def pbxproj(targets: dict[str, dict[str, str]]) -> str:
    """A minimal project: one Release configuration per target with these build settings."""
    objects, target_ids = [], []
    for n, (name, settings) in enumerate(targets.items()):
        tid, lid, cid = f"T{n:023d}", f"L{n:023d}", f"C{n:023d}"
        target_ids.append(tid)
        body = "".join(f'\t\t\t\t"{k}" = "{v}";\n' for k, v in settings.items())
        objects.append(
            f'\t\t{tid} = {{ isa = PBXNativeTarget; buildConfigurationList = {lid}; name = "{name}"; '
            f'productType = "com.apple.product-type.application"; }};\n'
            f"\t\t{lid} = {{ isa = XCConfigurationList; buildConfigurations = ({cid}); "
            f"defaultConfigurationName = Release; }};\n"
            f"\t\t{cid} = {{ isa = XCBuildConfiguration; buildSettings = {{\n{body}\t\t\t}}; name = Release; }};\n"
        )
    objects.append(
        "\t\tP00000000000000000000000 = { isa = PBXProject; buildConfigurationList = "
        "PL0000000000000000000000; projectDirPath = \"\"; targets = (" + ", ".join(target_ids) + "); };\n"
        "\t\tPL0000000000000000000000 = { isa = XCConfigurationList; buildConfigurations = (); };\n"
    )
    return (
        "// !$*UTF8*$!\n{\n\tarchiveVersion = 1;\n\tobjectVersion = 56;\n\tobjects = {\n"
        + "".join(objects)
        + "\t};\n\trootObject = P00000000000000000000000;\n}\n"
    )


def write_project(root: Path, targets: dict[str, dict[str, str]], files: dict[str, str]) -> Path:
    (root / "App.xcodeproj").mkdir(parents=True)
    (root / "App.xcodeproj" / "project.pbxproj").write_text(pbxproj(targets), encoding="utf-8")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root / "App.xcodeproj"


def entlint(args: list[str], cwd: Path) -> tuple[int, list[dict]]:
    """`entlint check --isolated --format json ARGS` in a real process."""
    env = dict(os.environ, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    run = subprocess.run(
        [sys.executable, "-m", "entitlements_lint.main", "check", "--isolated", "--format", "json", *args],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)["findings"]


# -- settings → platforms ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"SDKROOT": "iphoneos", "SUPPORTS_MAC_DESIGNED_FOR_IPHONE_IPAD": "YES"}, ("iOS", "iPadOS")),
        ({"SDKROOT": "iphoneos", "SUPPORTS_XR_DESIGNED_FOR_IPHONE_IPAD": "YES"}, ("iOS", "iPadOS")),
        ({"SUPPORTED_PLATFORMS": "iphoneos iphonesimulator macosx xros xrsimulator"},
         ("iOS", "iPadOS", "macOS", "visionOS")),
        # a Run Script environment: the platform being built is added
        ({"SUPPORTED_PLATFORMS": "iphoneos iphonesimulator", "PLATFORM_NAME": "macosx", "IS_MACCATALYST": "YES"},
         ("iOS", "iPadOS", "macCatalyst")),
        ({"PLATFORM_NAME": "watchos"}, ("watchOS",)),
    ],
)
def test_platforms_for_designed_for_ipad_and_environments(settings: dict[str, str], expected: tuple) -> None:
    assert platforms_for(settings) == expected


def test_sdk_conditional_entitlements_take_their_platforms() -> None:
    files = entitlements_platforms(
        "/p/App.entitlements", {"sdk=macosx*": "/p/Mac.entitlements"}, ("iOS", "iPadOS", "macCatalyst")
    )
    assert files == [("/p/Mac.entitlements", ("macCatalyst",)), ("/p/App.entitlements", ("iOS", "iPadOS"))]
    # a condition on something other than the SDK may apply anywhere
    files = entitlements_platforms("/p/A.entitlements", {"config=Debug": "/p/D.entitlements"}, ("macOS",))
    assert files == [("/p/D.entitlements", ("macOS",)), ("/p/A.entitlements", ("macOS",))]


def test_generated_info_plist_keys() -> None:
    settings = {
        "GENERATE_INFOPLIST_FILE": "YES",
        "INFOPLIST_KEY_NSCameraUsageDescription": "Scans receipts.",
        "INFOPLIST_KEY_UISupportedInterfaceOrientations_iPad": "UIInterfaceOrientationPortrait",
        "INFOPLIST_KEY_UILaunchScreen_Generation": "YES",
        "INFOPLIST_FILE": "App/Info.plist",
    }
    assert generated_info_plist(settings) == {
        "NSCameraUsageDescription": "Scans receipts.",
        "UISupportedInterfaceOrientations~ipad": "UIInterfaceOrientationPortrait",
        "UILaunchScreen": "YES",
    }
    assert generated_info_plist({"INFOPLIST_KEY_NSCameraUsageDescription": "x"}) is None  # not generated
    # a setting for some SDKs only (multiplatform targets) is part of the Info.plist too
    assert generated_info_plist({
        "GENERATE_INFOPLIST_FILE": "YES",
        "INFOPLIST_KEY_NSHealthShareUsageDescription[sdk=iphoneos*]": "Reads your steps.",
        "INFOPLIST_KEY_NSCameraUsageDescription[sdk=macosx*]": "Mac only.",
        "INFOPLIST_KEY_NSCameraUsageDescription": "Everywhere.",
    }) == {"NSHealthShareUsageDescription": "Reads your steps.", "NSCameraUsageDescription": "Everywhere."}


# -- through the CLI ----------------------------------------------------------------------

def test_a_file_shared_by_an_ios_and_a_macos_target_gets_both_platforms(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "App iOS": {"SDKROOT": "iphoneos", "CODE_SIGN_ENTITLEMENTS": "Shared/App.entitlements"},
        "App macOS": {"SDKROOT": "macosx", "CODE_SIGN_ENTITLEMENTS": "Shared/App.entitlements"},
    }, {"Shared/App.entitlements": SANDBOX_AND_HEALTH})
    code, found = entlint(["--select", "ENT006", "App.xcodeproj"], tmp_path)
    assert (code, found) == (0, [])
    # one target alone: the sandbox keys are info on iOS, healthkit is not documented on macOS
    write_project(tmp_path / "one", {
        "App iOS": {"SDKROOT": "iphoneos", "CODE_SIGN_ENTITLEMENTS": "Shared/App.entitlements"},
    }, {"Shared/App.entitlements": SANDBOX_AND_HEALTH})
    code, found = entlint(["--select", "ENT006", "App.xcodeproj"], tmp_path / "one")
    assert code == 0
    assert [(f["key"], f["severity"]) for f in found] == [
        ("com.apple.security.app-sandbox", "info"), ("com.apple.security.network.client", "info")]


def test_a_file_shared_by_an_ios_and_a_tvos_target(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "Game iOS": {"SDKROOT": "iphoneos", "CODE_SIGN_ENTITLEMENTS": "Shared/Game.entitlements"},
        "Game tvOS": {"SDKROOT": "appletvos", "CODE_SIGN_ENTITLEMENTS": "Shared/Game.entitlements"},
    }, {"Shared/Game.entitlements": plist(
        "\t<key>com.apple.developer.game-center</key>\n\t<true/>\n"  # on tvOS by Apple's capability table
        "\t<key>com.apple.developer.healthkit</key>\n\t<true/>\n"  # iOS only: read by the iOS build
        "\t<key>com.apple.security.app-sandbox</key>\n\t<true/>\n"  # ignored by both
    )})
    code, found = entlint(["--select", "ENT006", "App.xcodeproj"], tmp_path)
    assert code == 0
    assert [(f["key"], f["severity"]) for f in found] == [("com.apple.security.app-sandbox", "info")]
    assert "has no effect on iOS and tvOS" in found[0]["message"]


def test_an_ios_target_with_mac_catalyst_and_designed_for_ipad_passes(tmp_path: Path) -> None:
    write_project(tmp_path, {"App": {
        "SDKROOT": "iphoneos", "SUPPORTED_PLATFORMS": "iphoneos iphonesimulator",
        "SUPPORTS_MACCATALYST": "YES", "SUPPORTS_MAC_DESIGNED_FOR_IPHONE_IPAD": "YES",
        "CODE_SIGN_ENTITLEMENTS": "App/App.entitlements",
    }}, {"App/App.entitlements": SANDBOX_AND_HEALTH})
    assert entlint(["App.xcodeproj"], tmp_path) == (0, [])


def test_the_mac_file_of_an_sdk_condition_is_linted_for_the_mac(tmp_path: Path) -> None:
    write_project(tmp_path, {"App": {
        "SDKROOT": "iphoneos", "SUPPORTS_MACCATALYST": "YES",
        "CODE_SIGN_ENTITLEMENTS": "App/App.entitlements",
        "CODE_SIGN_ENTITLEMENTS[sdk=macosx*]": "App/Mac.entitlements",
    }}, {
        "App/App.entitlements": plist("\t<key>com.apple.developer.healthkit</key>\n\t<true/>\n"),
        "App/Mac.entitlements": plist("\t<key>com.apple.security.app-sandbox</key>\n\t<true/>\n"),
    })
    code, found = entlint(["App.xcodeproj"], tmp_path)
    assert (code, found) == (0, [])


def test_generated_info_plist_settings_satisfy_purpose_strings(tmp_path: Path) -> None:
    files = {"App/App.entitlements": plist("\t<key>com.apple.developer.location.push</key>\n\t<true/>\n")}
    settings = {
        "SDKROOT": "iphoneos", "CODE_SIGN_ENTITLEMENTS": "App/App.entitlements",
        "GENERATE_INFOPLIST_FILE": "YES",
        "INFOPLIST_KEY_NSLocationAlwaysAndWhenInUseUsageDescription": "Finds you.",
    }
    write_project(tmp_path, {"App": settings}, files)
    code, found = entlint(["--select", "ENT201", "App.xcodeproj"], tmp_path)
    assert [f["key"] for f in found] == ["NSLocationWhenInUseUsageDescription"]  # the one still missing
    assert "INFOPLIST_KEY_NSLocationWhenInUseUsageDescription" in found[0]["message"]
    assert code == 1


def test_generated_keys_merge_with_the_info_plist_file(tmp_path: Path) -> None:
    files = {
        "App/App.entitlements": plist("\t<key>com.apple.developer.location.push</key>\n\t<true/>\n"),
        "App/Info.plist": plist("\t<key>NSLocationWhenInUseUsageDescription</key>\n\t<string>Finds you.</string>\n"),
    }
    settings = {
        "SDKROOT": "iphoneos", "CODE_SIGN_ENTITLEMENTS": "App/App.entitlements",
        "INFOPLIST_FILE": "App/Info.plist", "GENERATE_INFOPLIST_FILE": "YES",
        "INFOPLIST_KEY_NSLocationAlwaysAndWhenInUseUsageDescription": "Finds you.",
    }
    write_project(tmp_path, {"App": settings}, files)
    assert entlint(["--select", "ENT201", "App.xcodeproj"], tmp_path) == (0, [])
    # without GENERATE_INFOPLIST_FILE the build settings are not part of the Info.plist
    write_project(tmp_path / "old", {"App": {**settings, "GENERATE_INFOPLIST_FILE": "NO"}}, files)
    code, found = entlint(["--select", "ENT201", "App.xcodeproj"], tmp_path / "old")
    assert [f["key"] for f in found] == ["NSLocationAlwaysAndWhenInUseUsageDescription"]


def test_each_shared_file_is_reported_once(tmp_path: Path) -> None:
    bad = plist("\t<key>com.apple.developer.healthkit</key>\n\t<string>yes</string>\n")
    write_project(tmp_path, {
        "A": {"SDKROOT": "iphoneos", "CODE_SIGN_ENTITLEMENTS": "S/App.entitlements"},
        "B": {"SDKROOT": "xros", "CODE_SIGN_ENTITLEMENTS": "S/App.entitlements"},
    }, {"S/App.entitlements": bad})
    code, found = entlint(["App.xcodeproj"], tmp_path)
    assert [f["code"] for f in found] == ["ENT004"]


def test_project_reader_exposes_the_generated_keys(tmp_path: Path) -> None:
    project = read_project(write_project(tmp_path, {"App": {
        "SDKROOT": "iphoneos", "GENERATE_INFOPLIST_FILE": "YES",
        "INFOPLIST_KEY_NSCameraUsageDescription": "$(PRODUCT_NAME) scans.", "PRODUCT_NAME": "Scan",
    }}, {}))
    (configuration,) = project.targets[0].configurations
    assert configuration.generated_info == {"NSCameraUsageDescription": "Scan scans."}
