"""`entlint xcode-build-phase` with hand-written Run Script environments.

Each environment is modelled on the build settings Xcode exports to a Run Script phase
(Xcode's build settings reference: PROJECT_DIR/SRCROOT, CODE_SIGN_ENTITLEMENTS,
INFOPLIST_FILE, GENERATE_INFOPLIST_FILE and INFOPLIST_KEY_*, PLATFORM_NAME,
SUPPORTED_PLATFORMS, SUPPORTS_MACCATALYST, IS_MACCATALYST, EFFECTIVE_PLATFORM_NAME, SDKROOT
as an SDK path, ACTION, CONFIGURATION, CODE_SIGN_IDENTITY); Xcode itself is not needed.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
import sys
from pathlib import Path

import pytest
from entitlements_lint.xcode_build_phase import distribution_of, main, read_environment
from lint_helpers import plist

XCODE = "/Applications/Xcode.app/Contents/Developer/Platforms"
SANDBOX = textwrap.dedent("""
    <key>com.apple.security.app-sandbox</key>
    <true/>
    <key>com.apple.security.files.user-selected.read-only</key>
    <true/>
    <key>com.apple.security.network.client</key>
    <true/>
""")
GROUPS = textwrap.dedent("""
    <key>com.apple.security.application-groups</key>
    <array>
        <string>group.com.example.app</string>
    </array>
""")
PUSH = "<key>aps-environment</key>\n<string>development</string>\n"


def environment(root: Path, **settings: str) -> dict[str, str]:
    """What every Run Script phase of a debug build sees, plus ``settings``."""
    return {
        "ACTION": "build",
        "CONFIGURATION": "Debug",
        "PROJECT_DIR": str(root),
        "SRCROOT": str(root),
        "PROJECT_NAME": "App",
        "TARGET_NAME": "App",
        "PRODUCT_BUNDLE_IDENTIFIER": "com.example.app",
        "CODE_SIGN_IDENTITY": "Apple Development",
        "CODE_SIGN_ENTITLEMENTS": "App/App.entitlements",
        **settings,
    }


IOS = {
    "PLATFORM_NAME": "iphoneos",
    "EFFECTIVE_PLATFORM_NAME": "-iphoneos",
    "SDKROOT": f"{XCODE}/iPhoneOS.platform/Developer/SDKs/iPhoneOS17.2.sdk",
    "SUPPORTED_PLATFORMS": "iphoneos iphonesimulator",
    "SUPPORTS_MACCATALYST": "NO",
    "SUPPORTS_MAC_DESIGNED_FOR_IPHONE_IPAD": "YES",
    "INFOPLIST_FILE": "App/Info.plist",
}
CATALYST_BUILD = {  # the Mac Catalyst variant of an iOS target being built
    **IOS,
    "PLATFORM_NAME": "macosx",
    "EFFECTIVE_PLATFORM_NAME": "-maccatalyst",
    "IS_MACCATALYST": "YES",
    "SUPPORTS_MACCATALYST": "YES",
    "SDKROOT": f"{XCODE}/MacOSX.platform/Developer/SDKs/MacOSX14.2.sdk",
}
MACOS = {
    "PLATFORM_NAME": "macosx",
    "EFFECTIVE_PLATFORM_NAME": "",
    "SDKROOT": f"{XCODE}/MacOSX.platform/Developer/SDKs/MacOSX14.2.sdk",
    "SUPPORTED_PLATFORMS": "macosx",
    "INFOPLIST_FILE": "App/Info.plist",
    "CODE_SIGN_IDENTITY": "Apple Development",
}
MULTIPLATFORM = {  # a SwiftUI multiplatform target, built for the iOS simulator
    "PLATFORM_NAME": "iphonesimulator",
    "EFFECTIVE_PLATFORM_NAME": "-iphonesimulator",
    "SDKROOT": f"{XCODE}/iPhoneSimulator.platform/Developer/SDKs/iPhoneSimulator17.2.sdk",
    "SUPPORTED_PLATFORMS": "iphoneos iphonesimulator macosx xros xrsimulator",
    "SUPPORTS_MACCATALYST": "NO",
    "GENERATE_INFOPLIST_FILE": "YES",
    "INFOPLIST_KEY_UILaunchScreen_Generation": "YES",
}
WATCH = {
    "PLATFORM_NAME": "watchsimulator",
    "EFFECTIVE_PLATFORM_NAME": "-watchsimulator",
    "SDKROOT": f"{XCODE}/WatchSimulator.platform/Developer/SDKs/WatchSimulator10.2.sdk",
    "SUPPORTED_PLATFORMS": "watchos watchsimulator",
    "GENERATE_INFOPLIST_FILE": "YES",
    "INFOPLIST_KEY_WKCompanionAppBundleIdentifier": "com.example.app",
    "INFOPLIST_KEY_CFBundleDisplayName": "App",
    "INFOPLIST_KEY_NSHealthShareUsageDescription": "Reads your workouts.",
    "INFOPLIST_KEY_NSHealthUpdateUsageDescription": "Saves your workouts.",
    "CODE_SIGN_ENTITLEMENTS": "Watch App/Watch App.entitlements",
}
HEALTH = "<key>com.apple.developer.healthkit</key>\n<true/>\n<key>com.apple.developer.healthkit.access</key>\n<array/>\n"


def project(root: Path, entitlements: str, info: str | None = "", where: str = "App/App.entitlements") -> Path:
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    (root / where).write_bytes(plist(entitlements))
    if info is not None:
        (root / "App" / "Info.plist").write_bytes(plist(info))
    return root


def run(capsys: pytest.CaptureFixture[str], env: dict[str, str], *args: str) -> tuple[int, list[str], str]:
    code = main(["--isolated", *args], environ=env)
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def test_ios(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, SANDBOX + GROUPS + PUSH)
    env = environment(root, **IOS)
    assert read_environment(env).platforms == ("iOS", "iPadOS")  # Designed for iPad adds none
    code, lines, err = run(capsys, env)
    assert code == 0, (lines, err)  # App Sandbox keys are notes only
    sandbox = str(root / "App" / "App.entitlements")
    assert lines[0] == (
        f"{sandbox}:5:2: note: `com.apple.security.app-sandbox` has no effect on iOS; "
        "kept for the Mac Catalyst or macOS build of this target [ENT006]"
    )
    assert len(lines) == 3 and all(": note: " in line for line in lines)


def test_ios_reports_a_real_mistake_in_xcode_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, "<key>aps-environment</key>\n<string>Production</string>")
    code, lines, _ = run(capsys, environment(root, **IOS))
    assert code == 1
    assert lines == [
        f"{root / 'App' / 'App.entitlements'}:6:2: error: `aps-environment`: `Production` is not an allowed "
        "value (one of `development`, `production`; values are case-sensitive) [ENT005]"
    ]


def test_ios_with_mac_catalyst(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, SANDBOX + GROUPS + PUSH + "<key>com.apple.developer.healthkit</key>\n<true/>",
                   "<key>NSHealthShareUsageDescription</key>\n<string>Steps.</string>\n"
                   "<key>NSHealthUpdateUsageDescription</key>\n<string>Workouts.</string>")
    catalyst = environment(root, **CATALYST_BUILD)
    assert read_environment(catalyst).platforms == ("iOS", "iPadOS", "macCatalyst")
    assert run(capsys, catalyst) == (0, [], "")
    # the iOS build of the same target: its platforms include Mac Catalyst too
    ios_build = environment(root, **{**IOS, "SUPPORTS_MACCATALYST": "YES"})
    assert read_environment(ios_build).platforms == ("iOS", "iPadOS", "macCatalyst")
    assert run(capsys, ios_build) == (0, [], "")


def test_macos_app(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, SANDBOX + GROUPS + "<key>com.apple.developer.aps-environment</key>\n<string>development</string>",
                   "<key>LSMinimumSystemVersion</key>\n<string>$(MACOSX_DEPLOYMENT_TARGET)</string>")
    env = environment(root, **MACOS)
    assert read_environment(env).platforms == ("macOS",)
    assert run(capsys, env) == (0, [], "")
    # the iOS spelling in a macOS app: undocumented there → warning, which fails the build
    project(root, PUSH, None)
    code, lines, _ = run(capsys, env)
    assert code == 1 and len(lines) == 1
    assert ": warning: `aps-environment` is not documented on macOS" in lines[0]
    assert "use `com.apple.developer.aps-environment`" in lines[0]
    # --fail-level error keeps the warning visible without failing the build
    assert run(capsys, env, "--fail-level", "error")[0] == 0


def test_multiplatform_swiftui_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, SANDBOX + GROUPS + PUSH, info=None)
    env = environment(root, **MULTIPLATFORM)
    assert read_environment(env).platforms == ("iOS", "iPadOS", "macOS", "visionOS")
    # the iOS simulator build does not fail on the macOS keys of the shared file
    assert run(capsys, env) == (0, [], "")
    # nor does the macOS build, nor the visionOS one
    assert run(capsys, {**env, "PLATFORM_NAME": "macosx", "EFFECTIVE_PLATFORM_NAME": ""}) == (0, [], "")
    assert run(capsys, {**env, "PLATFORM_NAME": "xros", "EFFECTIVE_PLATFORM_NAME": "-xros"}) == (0, [], "")


def test_watch_app(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a workout app: HealthKit exists on watchOS (Apple's watchOS capability table), no warning
    root = project(tmp_path, GROUPS + PUSH + HEALTH, info=None, where="Watch App/Watch App.entitlements")
    env = environment(root, **WATCH)
    build = read_environment(env)
    assert build.platforms == ("watchOS",)
    assert build.entitlements == str(root / "Watch App" / "Watch App.entitlements")
    assert build.info_plist is None
    assert build.generated_info == {
        "WKCompanionAppBundleIdentifier": "com.example.app", "CFBundleDisplayName": "App",
        "NSHealthShareUsageDescription": "Reads your workouts.", "NSHealthUpdateUsageDescription": "Saves your workouts.",
    }
    assert run(capsys, env) == (0, [], "")


def test_generated_info_plist_lints_the_target_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, "<key>com.apple.developer.healthkit</key>\n<true/>", info=None)
    # a broken file elsewhere in the source tree is not this target's: never linted
    (root / "Other").mkdir()
    (root / "Other" / "Other.entitlements").write_bytes(plist("<key>com.apple.developer.healthkit</key>\n<string>x</string>"))
    env = environment(root, **{**IOS, "INFOPLIST_FILE": "", "GENERATE_INFOPLIST_FILE": "YES",
                               "INFOPLIST_KEY_CFBundleDisplayName": "Steps"})
    code, lines, _ = run(capsys, env)
    assert code == 1
    assert lines == [
        f"{root / 'App' / 'App.entitlements'}:5:2: warning: `com.apple.developer.healthkit` needs "
        "`NSHealthShareUsageDescription` (reading health data) or `NSHealthUpdateUsageDescription` "
        "(writing health data) in Info.plist, or the build setting "
        "`INFOPLIST_KEY_NSHealthShareUsageDescription` or `INFOPLIST_KEY_NSHealthUpdateUsageDescription` [ENT201]"
    ]
    env["INFOPLIST_KEY_NSHealthUpdateUsageDescription"] = "Saves workouts."
    assert run(capsys, env) == (0, [], "")


def test_generated_info_plist_merges_with_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # location push needs both location strings: one comes from the file, one from the settings
    root = project(tmp_path, "<key>com.apple.developer.location.push</key>\n<true/>",
                   "<key>NSLocationWhenInUseUsageDescription</key>\n<string>Finds you.</string>")
    env = environment(root, **{**IOS, "GENERATE_INFOPLIST_FILE": "YES",
                               "INFOPLIST_KEY_NSLocationAlwaysAndWhenInUseUsageDescription": "Finds you."})
    assert run(capsys, env) == (0, [], "")
    env["GENERATE_INFOPLIST_FILE"] = "NO"
    code, lines, _ = run(capsys, env)
    assert code == 1 and len(lines) == 1 and "`NSLocationAlwaysAndWhenInUseUsageDescription`" in lines[0]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"CODE_SIGN_IDENTITY": "Apple Development"}, "development"),
        ({"CODE_SIGN_IDENTITY": "iPhone Developer", "ACTION": "build"}, "development"),
        ({"CODE_SIGN_IDENTITY": "Apple Development", "ACTION": "install"}, None),  # an archive
        ({"CODE_SIGN_IDENTITY": "Developer ID Application"}, "developer-id"),
        ({"EXPANDED_CODE_SIGN_IDENTITY_NAME": "Developer ID Application: Example (ABCDE12345)"}, "developer-id"),
        ({"CODE_SIGN_IDENTITY": "Apple Distribution"}, None),  # App Store, ad hoc or in-house
        ({"CODE_SIGN_IDENTITY": "-"}, None),
        ({"CONFIGURATION": "Release"}, None),
    ],
)
def test_distribution_from_the_signing_identity(settings: dict[str, str], expected: str | None) -> None:
    assert distribution_of(settings) == expected


def test_developer_id_build_flags_get_task_allow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, "<key>com.apple.security.get-task-allow</key>\n<true/>")
    env = environment(root, **{**MACOS, "CODE_SIGN_IDENTITY": "Developer ID Application", "ACTION": "install"})
    code, lines, _ = run(capsys, env)
    assert code == 1
    assert [line for line in lines if line.endswith("[ENT010]")] == [
        f"{root / 'App' / 'App.entitlements'}:6:2: error: `com.apple.security.get-task-allow` is true, but the "
        "distribution is developer-id: debuggable builds cannot be distributed [ENT010]"
    ]
    # the same build signed for development: no distribution finding
    env["CODE_SIGN_IDENTITY"], env["ACTION"] = "Apple Development", "build"
    assert not [line for line in run(capsys, env)[1] if line.endswith("[ENT010]")]


def test_outside_xcode_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = run(capsys, {"HOME": "/tmp"})
    assert code == 2 and lines == [] and "Run Script build phase" in err


def test_nothing_to_lint_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = environment(tmp_path, **{**IOS, "CODE_SIGN_ENTITLEMENTS": "", "INFOPLIST_FILE": ""})
    assert run(capsys, env) == (0, [], "")


def test_missing_entitlements_file_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run(capsys, environment(tmp_path, **{**IOS, "INFOPLIST_FILE": ""}))
    assert code == 2 and lines[0].startswith(str(tmp_path / "App" / "App.entitlements") + ":1:1: error:")


def test_the_readme_line_in_a_real_process(tmp_path: Path) -> None:
    """The README's one-line Run Script, run by a shell with a multiplatform target's environment."""
    root = project(tmp_path, SANDBOX + PUSH, info=None)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if "entlint xcode-build-phase" in x and "command -v" in x)
    env = {**environment(root, **MULTIPLATFORM), "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    shell = subprocess.run(["/bin/sh", "-c", line], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert (shell.returncode, shell.stdout) == (0, ""), shell.stderr
    # and a mistake fails the build with an Xcode-format error
    project(root, "<key>aps-environment</key>\n<string>Production</string>", info=None)
    shell = subprocess.run(["/bin/sh", "-c", line], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert shell.returncode == 1 and ": error: `aps-environment`: `Production`" in shell.stdout
