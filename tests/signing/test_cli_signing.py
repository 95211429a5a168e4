"""`entlint check` on profiles, built products and Xcode projects, and `entlint profile show`.

Exact codes, messages and exit codes, run in process through ``cli_check.main``.
"""

from __future__ import annotations

import datetime
import json
import plistlib
import zipfile
from pathlib import Path

import pytest
from entitlements_db import load
from entitlements_lint.cli_check import main
from signing_builders import (
    der_entitlements,
    info_plist,
    ios_bundle,
    macho,
    profile_dict,
    sign_cms,
)

FUTURE = datetime.datetime(2099, 1, 1)
PROFILE_NAME = "iOS Team Provisioning Profile: com.example.app"
STORE_ENTITLEMENTS = {
    "application-identifier": "ABCDE12345.com.example.app",
    "com.apple.developer.team-identifier": "ABCDE12345",
    "aps-environment": "production",
    "beta-reports-active": True,
    "keychain-access-groups": ["ABCDE12345.*"],
}


#: The data release an unknown key is judged against (entlint data V, N keys).
RELEASE = f"entlint data {load().meta['version']}, {len(load())} keys"


def _profile(tmp_path: Path, name: str = "p.mobileprovision", **overrides: object) -> str:
    overrides.setdefault("ExpirationDate", FUTURE)
    path = tmp_path / name
    path.write_bytes(sign_cms(plistlib.dumps(profile_dict(**overrides))))
    return str(path)


def _store_profile(tmp_path: Path) -> str:
    return _profile(tmp_path, "store.mobileprovision", ProvisionedDevices=None,
                    Entitlements=STORE_ENTITLEMENTS)


def _entitlements(tmp_path: Path, value: dict[str, object]) -> str:
    path = tmp_path / "App.entitlements"
    path.write_bytes(plistlib.dumps(value))
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]], str]:
    code = main(["--isolated", "--format", "json", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out)["findings"], captured.err


def _codes(findings: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(f["code"], f["message"]) for f in findings]


def test_claimed_key_missing_from_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = _profile(tmp_path)
    app = _entitlements(tmp_path, {"com.apple.developer.healthkit": True})
    code, findings, err = _run(capsys, "--profile", profile, app)
    assert code == 1
    assert _codes(findings) == [(
        "ENT300",
        (
            f"`com.apple.developer.healthkit` is not in profile {PROFILE_NAME!r} (development): "
            "enable the capability on the App ID 'Example App' and regenerate the profile"
        ),
    )]
    assert findings[0]["line"] == 5  # the <key>, after plistlib's four header lines
    assert "distribution development from the profile" in err


def test_value_mismatch_aps_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = _store_profile(tmp_path)
    app = _entitlements(tmp_path, {"aps-environment": "development"})
    code, findings, err = _run(capsys, "--profile", profile, app)
    assert code == 1
    assert _codes(findings) == [(
        "ENT301",
        f"`aps-environment` is `development`, but profile {PROFILE_NAME!r} has `production`",
    )]
    assert err == f"entlint: distribution app-store from the profile {PROFILE_NAME!r}\n"


def test_expired_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = _profile(tmp_path, ExpirationDate=datetime.datetime(2020, 1, 2, 3, 4, 5))
    app = _entitlements(tmp_path, {"aps-environment": "development"})
    code, findings, _ = _run(capsys, "--profile", profile, app)
    assert code == 1
    assert _codes(findings) == [
        ("ENT302", f"profile {PROFILE_NAME!r} expired on 2020-01-02T03:04:05+00:00"),
    ]
    assert (findings[0]["line"], findings[0]["column"]) == (1, 1)


def test_get_task_allow_with_app_store_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = _store_profile(tmp_path)
    app = _entitlements(tmp_path, {"get-task-allow": True})
    # a configured development distribution does not hide what the profile says
    code, findings, _ = _run(capsys, "--profile", profile, "--distribution", "development",
                             "--ignore", "ENT009", app)
    assert code == 1
    assert _codes(findings) == [(
        "ENT010",
        (
            f"`get-task-allow` is true but profile {PROFILE_NAME!r} is for app-store distribution: "
            "only development builds may be debuggable"
        ),
    )]


def test_unreadable_profile_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.mobileprovision"
    bad.write_bytes(b"\x30\x82\x10\x00truncated")
    app = _entitlements(tmp_path, {})
    assert main(["--isolated", "--profile", str(bad), app]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"entlint: error: {bad}: not a provisioning profile (")
    assert "Traceback" not in err


def test_plain_check_loads_no_signing_module(tmp_path: Path) -> None:
    import subprocess
    import sys

    app = _entitlements(tmp_path, {"com.apple.security.app-sandbox": True})
    code = (
        "import sys; from entitlements_lint.cli_check import main; main(['--isolated', '-q', sys.argv[1]]);"
        "names = ('profiles', 'profile_compare', 'bundles', 'macho', 'xcodeproj', 'signing', 'der');"
        "print([n for n in names if 'entitlements_lint.' + n in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code, app], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")


def test_app_signature_with_invented_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    xml = plistlib.dumps({"com.apple.developer.invented-thing": True})
    ios_bundle(tmp_path / "X.app", "X.app", "com.example.x", macho(xml))
    code, findings, _ = _run(capsys, "X.app")
    assert code == 1
    assert [(f["code"], f["path"], f["message"]) for f in findings] == [
        ("ENT001", "X.app/X (signature, arm64)",
         f"`com.apple.developer.invented-thing` is not a known entitlement ({RELEASE})"),
    ]


def test_xml_and_der_disagree(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    image = macho(plistlib.dumps({"aps-environment": "production"}),
                  der_entitlements({"aps-environment": "development"}))
    ios_bundle(tmp_path / "X.app", "X.app", "com.example.x", image)
    code, findings, _ = _run(capsys, "--select", "ENT304", "X.app/")
    assert code == 1
    assert _codes(findings) == [
        ("ENT304", "`aps-environment` differs between the XML and DER entitlements (DER: 'development')"),
    ]
    assert findings[0]["severity"] == "warning"


def test_app_compared_with_embedded_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = sign_cms(plistlib.dumps(profile_dict(ExpirationDate=FUTURE, ProvisionedDevices=None,
                                                 Entitlements=STORE_ENTITLEMENTS)))
    ios_bundle(tmp_path / "X.app", "X.app", "com.example.app",
               macho(plistlib.dumps({"aps-environment": "development"})), store)
    code, findings, err = _run(capsys, "X.app")
    assert code == 1
    assert [f["code"] for f in findings] == ["ENT301"]
    assert "X.app/X: distribution app-store from the profile" in err


def test_bundle_identifier_outside_the_profiles_app_id(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = sign_cms(plistlib.dumps(profile_dict(ExpirationDate=FUTURE, ProvisionedDevices=None,
                                                 Entitlements=STORE_ENTITLEMENTS)))
    ios_bundle(tmp_path / "X.app", "X.app", "com.example.other",
               macho(plistlib.dumps({"aps-environment": "production"})), store)
    code, findings, _ = _run(capsys, "--select", "ENT301", "X.app")
    assert code == 1
    assert [f["code"] for f in findings] == ["ENT301"]
    assert "bundle identifier `com.example.other` is not covered by" in findings[0]["message"]


def test_unsigned_binary_is_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tool").write_bytes(macho(signed=False))
    code, findings, err = _run(capsys, "tool")
    assert (code, findings) == (0, [])
    assert err == "entlint: tool (arm64) is not code signed: no entitlements to lint\n"


def test_ipa_zip_bomb_exits_2_and_others_go_on(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile(tmp_path / "bomb.ipa", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Payload/X.app/Info.plist", info_plist("X", "com.example.x"))
        archive.writestr("Payload/X.app/X", b"\x00" * (4 * 1024 * 1024))
    app = _entitlements(tmp_path, {"com.apple.developer.invented-thing": True})
    code, findings, err = _run(capsys, "bomb.ipa", app)
    assert code == 2
    assert _codes(findings) == [
        ("ENT100", "Payload/X.app/X: compression ratio above 200:1, refusing a possible zip bomb"),
        ("ENT001", f"`com.apple.developer.invented-thing` is not a known entitlement ({RELEASE})"),
    ]
    assert findings[0]["path"] == "bomb.ipa"
    assert "Traceback" not in err


def test_ipa_with_parent_paths_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile(tmp_path / "evil.ipa", "w") as archive:
        archive.writestr("../evil.txt", b"x")
    code, findings, _ = _run(capsys, "evil.ipa")
    assert code == 2
    assert _codes(findings) == [("ENT100", "unsafe member path '../evil.txt' (absolute or '..')")]


def test_bogus_macho_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tool").write_bytes(b"\xca\xfe\xba\xbe\x00\x00\x00\x01" + b"\xff" * 20)
    code, findings, _ = _run(capsys, "tool")
    assert code == 2
    assert [f["code"] for f in findings] == ["ENT100"]
    assert "universal Mach-O architecture 0 lies outside the file" in str(findings[0]["message"])


PBXPROJ = r"""// !$*UTF8*$!
{
	objects = {
		T1 = { isa = PBXNativeTarget; buildConfigurationList = L1; name = Mac; productType = "com.apple.product-type.application"; };
		P1 = { isa = PBXProject; buildConfigurationList = L0; targets = (T1); };
		C1 = { isa = XCBuildConfiguration; name = Release; buildSettings = {
			CODE_SIGN_ENTITLEMENTS = "$(TARGET_NAME)/$(TARGET_NAME).entitlements";
			INFOPLIST_FILE = "$(SRCROOT)/Mac/Missing-Info.plist";
			SDKROOT = macosx;
		}; };
		C2 = { isa = XCBuildConfiguration; name = Debug; buildSettings = {
			CODE_SIGN_ENTITLEMENTS = "$(TARGET_NAME)/$(TARGET_NAME).entitlements";
			INFOPLIST_FILE = "$(SRCROOT)/Mac/Missing-Info.plist";
			SDKROOT = macosx;
		}; };
		L0 = { isa = XCConfigurationList; buildConfigurations = (); };
		L1 = { isa = XCConfigurationList; buildConfigurations = (C2, C1); defaultConfigurationName = Release; };
	};
	rootObject = P1;
}
"""


def test_xcodeproj_macos_target_with_aps_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Mac.xcodeproj").mkdir()
    (tmp_path / "Mac.xcodeproj" / "project.pbxproj").write_text(PBXPROJ, encoding="utf-8")
    (tmp_path / "Mac").mkdir()
    (tmp_path / "Mac" / "Mac.entitlements").write_bytes(plistlib.dumps({"aps-environment": "development"}))
    code, findings, _ = _run(capsys, "--select", "ENT006,ENT100", "Mac.xcodeproj")
    assert code == 2  # the Info.plist the project names is missing
    assert [(f["code"], f["path"]) for f in findings] == [
        ("ENT100", "Mac/Missing-Info.plist"),
        ("ENT006", "Mac/Mac.entitlements"),
    ]
    assert findings[1]["message"].startswith("`aps-environment` is not documented on macOS")


def test_a_folder_holding_one_project_is_linted_through_its_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`entlint check .` in a project root: the target's platform (macOS) applies, the file
    is reported once, and a file no target names is still found by the walk."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Mac.xcodeproj").mkdir()
    (tmp_path / "Mac.xcodeproj" / "project.pbxproj").write_text(PBXPROJ, encoding="utf-8")
    (tmp_path / "Mac").mkdir()
    (tmp_path / "Mac" / "Mac.entitlements").write_bytes(plistlib.dumps({"aps-environment": "development"}))
    (tmp_path / "Other").mkdir()
    (tmp_path / "Other" / "Other.entitlements").write_bytes(plistlib.dumps({"com.apple.developer.app-groups": []}))
    code, findings, _ = _run(capsys, "--select", "ENT001,ENT006", ".")
    assert code == 2  # the Info.plist the project names is missing
    assert sorted((f["code"], f["path"]) for f in findings) == [
        ("ENT001", "Other/Other.entitlements"),
        ("ENT006", "Mac/Mac.entitlements"),
        ("ENT100", "Mac/Missing-Info.plist"),
    ]


def test_profile_show_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from entitlements_lint.cli import app
    from typer.testing import CliRunner

    profile = _store_profile(tmp_path)
    result = CliRunner().invoke(app, ["profile", "show", profile, "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary == {
        "path": profile,
        "name": PROFILE_NAME,
        "uuid": "5F2C1D8E-1234-4ABC-9DEF-0123456789AB",
        "team": "Example Corp (ABCDE12345)",
        "team_identifiers": ["ABCDE12345"],
        "app_id": "ABCDE12345.com.example.app",
        "app_id_name": "Example App",
        "platforms": ["iOS", "xrOS"],
        "distribution": "app-store",
        "created": "2025-01-02T03:04:05+00:00",
        "expires": "2099-01-01T00:00:00+00:00",
        "expired": False,
        "devices": 0,
        "xcode_managed": True,
        "entitlements": STORE_ENTITLEMENTS,
    }


def test_profile_show_bad_input(tmp_path: Path) -> None:
    from entitlements_lint.cli import app
    from typer.testing import CliRunner

    bad = tmp_path / "x.mobileprovision"
    bad.write_bytes(b"\x30\x03\x02\x01\x01")
    result = CliRunner().invoke(app, ["profile", "show", str(bad)])
    assert result.exit_code == 2
    assert "not a provisioning profile" in result.output


def test_python_api_lints_a_built_product(tmp_path: Path) -> None:
    from entitlements_lint import lint_artefact

    xml = plistlib.dumps({"com.apple.developer.invented-thing": True})
    ios_bundle(tmp_path / "X.app", "X.app", "com.example.x", macho(xml))
    results = lint_artefact(str(tmp_path / "X.app"))
    assert [(f.code, f.key) for r in results for f in r.findings] == [
        ("ENT001", "com.apple.developer.invented-thing"),
    ]
    assert lint_artefact(str(tmp_path / "X.app"), profile=str(tmp_path / "missing.mobileprovision"))[0].failed
