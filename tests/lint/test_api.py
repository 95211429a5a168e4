"""The Python API: `lint_file` and `lint_text` return typed findings."""

from __future__ import annotations

from pathlib import Path

import entitlements_lint
import pytest
from entitlements_lint import lint_file, lint_text
from entitlements_lint.engine import FileResult
from entitlements_lint.findings import Finding, Fix
from lint_helpers import plist

from entitlements_db.suggest import Suggestion

DOC = plist("""
<key>com.apple.developer.app-groups</key>
<array>
	<string>group.com.example.shared</string>
</array>
<key>aps-environment</key>
<string>development</string>
""")


def test_public_names() -> None:
    assert set(entitlements_lint.__all__) >= {"lint_file", "lint_text", "__version__"}


def test_lint_text_returns_typed_findings(isolated_cwd: Path) -> None:
    result = lint_text(DOC.decode(), platforms=["iOS"])
    assert isinstance(result, FileResult)
    assert result.path == "App.entitlements" and result.kind == "entitlements" and not result.failed
    (finding,) = result.findings
    assert isinstance(finding, Finding)
    assert (finding.code, finding.rule, finding.severity) == ("ENT001", "unknown-entitlement", "error")
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (5, 2, 5, 43)
    assert finding.key == "com.apple.developer.app-groups"
    assert isinstance(finding.suggestions[0], Suggestion)
    assert (finding.suggestions[0].kind, finding.suggestions[0].key) == ("entitlement", "com.apple.security.application-groups")
    assert isinstance(finding.fix, Fix) and finding.fix.safe
    assert finding.as_dict()["suggestions"][0] == {
        "kind": "entitlement", "key": "com.apple.security.application-groups", "note": "the real entitlement"}


def test_lint_text_accepts_bytes_and_the_path_decides_the_kind(isolated_cwd: Path) -> None:
    info = plist("<key>UIBackgroundModes</key>\n<array>\n\t<string>background-fetch</string>\n</array>")
    result = lint_text(info, path="App/Info.plist")
    assert result.kind == "info-plist"
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("invalid-background-mode", 7, 3)]
    assert result.findings[0].suggestions[0].value == "fetch"
    # The same bytes named as an entitlements file are another matter.
    assert [f.rule for f in lint_text(info).findings] == ["misplaced-key"]


def test_platform_and_distribution_arguments(isolated_cwd: Path) -> None:
    debug = plist("<key>get-task-allow</key>\n<true/>")
    assert "debug-entitlement-in-distribution" not in [f.rule for f in lint_text(debug).findings]
    assert "debug-entitlement-in-distribution" in [f.rule for f in lint_text(debug, distribution="app-store").findings]
    mac = lint_text(plist("<key>aps-environment</key>\n<string>development</string>"), platforms=["macos"])
    assert [(f.rule, f.suggestions[0].key) for f in mac.findings] == [("unavailable-on-platform", "com.apple.developer.aps-environment")]
    with pytest.raises(ValueError, match="unknown platform 'Symbian'"):
        lint_text(debug, platforms=["Symbian"])


def test_lint_text_never_raises_for_bad_input(isolated_cwd: Path) -> None:
    result = lint_text(b"\x00\x01\x02")
    assert result.failed
    assert [(f.code, f.rule) for f in result.findings] == [("ENT101", "syntax-error")]


def test_lint_file(isolated_cwd: Path) -> None:
    path = isolated_cwd / "Target" / "Target.entitlements"
    path.parent.mkdir()
    path.write_bytes(DOC)
    result = lint_file(str(path), platforms=["iOS"])
    assert result.path == str(path) and not result.failed
    assert [f.code for f in result.findings] == ["ENT001"]
    assert all(isinstance(f, Finding) and f.path == str(path) for f in result.findings)
    # Configuration above the file applies.
    (isolated_cwd / ".entlint.toml").write_text('ignore = ["ENT001"]\n')
    assert lint_file(str(path)).findings == []
    missing = lint_file(str(isolated_cwd / "missing.entitlements"))
    assert missing.failed and [f.rule for f in missing.findings] == ["io-error"]


def test_lint_file_pairs_the_targets_info_plist(isolated_cwd: Path) -> None:
    (isolated_cwd / "App.entitlements").write_bytes(plist("<key>com.apple.developer.healthkit</key>\n<true/>"))
    (isolated_cwd / "Info.plist").write_bytes(plist("<key>UIDeviceFamily</key>\n<array>\n\t<integer>1</integer>\n</array>"))
    found = lint_file(str(isolated_cwd / "App.entitlements")).findings
    # HealthKit's reading and writing strings are alternatives: one finding names both
    [finding] = [f for f in found if f.rule == "missing-usage-description"]
    assert finding.key == "NSHealthShareUsageDescription"
    assert "`NSHealthShareUsageDescription` (reading health data) or `NSHealthUpdateUsageDescription`" in finding.message


def test_an_inferred_platform_is_said_and_softens_the_finding(isolated_cwd: Path) -> None:
    """Without --platform the sibling Info.plist says macOS; the finding says so, and is a warning."""
    (isolated_cwd / "App.entitlements").write_bytes(plist("<key>aps-environment</key>\n<string>development</string>"))
    (isolated_cwd / "Info.plist").write_bytes(plist(
        "<key>CFBundleSupportedPlatforms</key>\n<array>\n\t<string>MacOSX</string>\n</array>\n"
        "<key>LSMinimumSystemVersion</key>\n<string>13.0</string>"))
    (finding,) = lint_file(str(isolated_cwd / "App.entitlements")).findings
    assert (finding.rule, finding.severity, finding.line, finding.column) == ("unavailable-on-platform", "warning", 5, 2)
    assert "assuming macOS" in finding.message and "set --platform to be sure" in finding.message
    assert finding.fix is not None and not finding.fix.safe  # a guess is not certain enough for --fix
    (certain,) = lint_file(str(isolated_cwd / "App.entitlements"), platforms=["macOS"]).findings
    # a known platform makes the fix safe; the data records no absence evidence for
    # aps-environment on macOS, so the finding stays a warning (ENT006's severity policy)
    assert certain.severity == "warning" and "assuming" not in certain.message and certain.fix.safe


@pytest.mark.parametrize(
    "key",
    [
        "com.apple.developer.nfc.readersession.iso7816.select-identifiers",
        "com.apple.developer.nfc.readersession.felica.systemcodes",
    ],
)
def test_core_nfc_info_plist_keys_stay_in_info_plist(isolated_cwd: Path, key: str) -> None:
    # Apple's entitlement index lists these, but Core NFC reads them from Info.plist.
    body = f"<key>{key}</key>\n<array>\n\t<string>A0000002471001</string>\n</array>"
    in_info = lint_text(plist(body), path="App/Info.plist", platforms=["iOS"])
    assert in_info.kind == "info-plist"
    assert [f.rule for f in in_info.findings] == []
    in_entitlements = lint_text(plist(body), path="App/App.entitlements", platforms=["iOS"])
    assert [f.rule for f in in_entitlements.findings] == ["misplaced-key"]
    assert "Info.plist key" in in_entitlements.findings[0].message


def test_memory_transfer_keys_use_the_spelling_the_kernel_checks(isolated_cwd: Path) -> None:
    dash = plist("<key>com.apple.developer.memory.transfer-send</key>\n<string>com.example.browser</string>")
    assert [f.rule for f in lint_text(dash, platforms=["iOS"]).findings] == []
    underscore = plist("<key>com.apple.developer.memory.transfer_send</key>\n<string>com.example.browser</string>")
    findings = lint_text(underscore, platforms=["iOS"]).findings
    assert [f.code for f in findings] == ["ENT001"]
    assert findings[0].suggestions[0].key == "com.apple.developer.memory.transfer-send"
