"""Fixes: exact bytes, the rest of the file untouched, idempotent, --diff writes nothing,
unsafe fixes remove whole lines, and a fix never produces a file that does not parse."""

from __future__ import annotations

import json
import os
import plistlib
from pathlib import Path

import pytest
from entitlements_lint import engine, fixes
from entitlements_lint.config import Settings
from entitlements_lint.plist import parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lint_helpers import check, plist

from entitlements_db import load

CRLF_FILE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
    b'<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\r\n'
    b'<plist version="1.0">\r\n'
    b"<dict>\r\n"
    b"\t<key>aps-environment</key>\r\n"
    b"\t<string>Production</string>\r\n"
    b"\t<key>com.apple.developer.app-groups</key>\r\n"
    b"\t<array>\r\n"
    b"\t\t<string>group.com.example.shared</string>\r\n"
    b"\t</array>\r\n"
    b"\t<key>keychain-access-groups</key>\t\r\n"
    b"\t<array>\r\n"
    b"\t\t<string>$(AppIdentifierPrefix)com.example.app</string>\r\n"
    b"\t</array>\r\n"
    b"</dict>\r\n"
    b"</plist>\r\n"
)
CRLF_FIXED = CRLF_FILE.replace(b"<string>Production</string>", b"<string>production</string>").replace(
    b"<key>com.apple.developer.app-groups</key>", b"<key>com.apple.security.application-groups</key>"
)


def test_fix_rewrites_exactly_the_fixed_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "App.entitlements"
    path.write_bytes(CRLF_FILE)
    path.chmod(0o640)
    code, out, _ = check(["--isolated", "--platform", "iOS", "--fix", path], capsys)
    assert path.read_bytes() == CRLF_FIXED
    assert code == 0, out
    assert "fixed 2" in out
    assert os.stat(path).st_mode & 0o777 == 0o640  # the atomic write keeps permissions
    assert sorted(os.listdir(tmp_path)) == ["App.entitlements"]  # no temporary file left
    # A second run changes nothing.
    code, out, _ = check(["--isolated", "--platform", "iOS", "--fix", path], capsys)
    assert path.read_bytes() == CRLF_FIXED
    assert code == 0 and "fixed" not in out
    assert out == "Checked 1 file: no problems found.\n"


def test_each_fix_alone() -> None:
    db = load()

    def fixed(data: bytes, **kw) -> bytes:  # type: ignore[no-untyped-def]
        settings = Settings(**kw)
        return fixes.fix_bytes(data, lambda d: engine.lint_bytes(d, "App.entitlements", settings, db).findings, False)[0]

    aps = plist("<key>aps-environment</key>\n<string>Production</string>")
    assert fixed(aps) == aps.replace(b"Production", b"production")
    groups = plist("<key>com.apple.developer.app-groups</key>\n<array>\n\t<string>group.a.b</string>\n</array>")
    assert fixed(groups) == groups.replace(b"com.apple.developer.app-groups", b"com.apple.security.application-groups")
    # The replacement takes an array: a Boolean value does not fit, so no rename.
    wrong_type = plist("<key>com.apple.developer.app-groups</key>\n<true/>")
    assert fixed(wrong_type) == wrong_type
    # The platform counterpart: aps-environment in a macOS target.
    mac = plist("<key>com.apple.security.app-sandbox</key>\n<true/>\n<key>aps-environment</key>\n<string>development</string>")
    assert fixed(mac, platforms=("macOS",)) == mac.replace(b"<key>aps-environment</key>", b"<key>com.apple.developer.aps-environment</key>")
    # ... but not when the counterpart is already there (the rename would duplicate it).
    both = plist("<key>aps-environment</key>\n<string>development</string>\n"
                 "<key>com.apple.developer.aps-environment</key>\n<string>development</string>")
    assert fixed(both, platforms=("macOS",)) == both
    # A key that differs from a real one only in letter case has one certain spelling.
    cased = plist("<key>com.apple.developer.networking.hotspotconfiguration</key>\n<true/>")
    assert fixed(cased) == cased.replace(b"hotspotconfiguration", b"HotspotConfiguration")
    # ... unless the value does not fit the real key (HotspotConfiguration takes a Boolean).
    cased_string = plist("<key>com.apple.developer.networking.hotspotconfiguration</key>\n<string>x</string>")
    assert fixed(cased_string) == cased_string


def test_rename_only_to_a_key_that_exists_on_the_target_platform() -> None:
    """networking.configuration's replacement, HotspotConfiguration, does not exist on macOS:
    renaming there would trade one error for another, so it is not a safe fix."""
    db = load()
    data = plist("<key>com.apple.developer.networking.configuration</key>\n<true/>")

    def run(platforms: tuple[str, ...]) -> tuple[bytes, list]:  # type: ignore[type-arg]
        settings = Settings(platforms=platforms)
        new, _, remaining = fixes.fix_bytes(data, lambda d: engine.lint_bytes(d, "App.entitlements", settings, db).findings, False)
        return new, remaining

    new, remaining = run(("iOS",))
    assert new == data.replace(b"networking.configuration", b"networking.HotspotConfiguration")
    assert not [f for f in remaining if f.severity == "error"]
    new, remaining = run(("macOS",))
    assert new == data
    assert [f.rule for f in remaining] == ["unknown-entitlement"]


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("App.entitlements").write_bytes(CRLF_FILE)
    code, out, err = check(["--isolated", "--platform", "iOS", "--diff", "App.entitlements"], capsys)
    assert Path("App.entitlements").read_bytes() == CRLF_FILE
    assert code == 1  # there is a diff
    assert out == (
        "--- a/App.entitlements\n"
        "+++ b/App.entitlements\n"
        "@@ -3,8 +3,8 @@\n"
        ' <plist version="1.0">\r\n'
        " <dict>\r\n"
        " \t<key>aps-environment</key>\r\n"
        "-\t<string>Production</string>\r\n"
        "-\t<key>com.apple.developer.app-groups</key>\r\n"
        "+\t<string>production</string>\r\n"
        "+\t<key>com.apple.security.application-groups</key>\r\n"
        " \t<array>\r\n"
        " \t\t<string>group.com.example.shared</string>\r\n"
        " \t</array>\r\n"
    )  # only the diff: `entlint check --diff | git apply` works
    assert err.startswith("App.entitlements:6:2: ENT005 [error] ")  # the findings go to stderr
    assert "App.entitlements:7:2: ENT001 [error] " in err
    assert sorted(os.listdir(tmp_path)) == ["App.entitlements"]


def test_unsafe_fixes_remove_a_key_that_needs_no_entitlement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = plist("""
        <key>aps-environment</key>
        <string>development</string>
        <key>com.apple.developer.in-app-purchase</key>
        <true/>
        <key>com.apple.developer.associated-domains</key>
        <array>
        	<string>applinks:example.com</string>
        </array>
    """)
    path = tmp_path / "App.entitlements"
    path.write_bytes(before)
    code, out, _ = check(["--isolated", "--platform", "iOS", "--fix", path], capsys)
    assert path.read_bytes() == before  # removing is not a safe fix
    assert "(--unsafe-fixes)" in out
    code, out, _ = check(["--isolated", "--platform", "iOS", "--unsafe-fixes", path], capsys)
    after = path.read_bytes()
    assert after == before.replace(b"\t<key>com.apple.developer.in-app-purchase</key>\n\t<true/>\n", b"")
    assert plistlib.loads(after) == {
        "aps-environment": "development",
        "com.apple.developer.associated-domains": ["applinks:example.com"],
    }
    assert code == 0


def test_removing_a_key_with_a_multi_line_value_and_a_key_on_a_shared_line() -> None:
    db = load()
    settings = Settings(platforms=("iOS",))

    def fixed(data: bytes) -> bytes:
        return fixes.fix_bytes(data, lambda d: engine.lint_bytes(d, "App.entitlements", settings, db).findings, True)[0]

    multi = plist("""
        <key>UIBackgroundModes</key>
        <array>
        	<string>remote-notification</string>
        </array>
        <key>aps-environment</key>
        <string>development</string>
    """)
    assert fixed(multi) == multi.replace(b"\t<key>UIBackgroundModes</key>\n\t<array>\n\t\t<string>remote-notification</string>\n\t</array>\n", b"")
    shared = plist("<key>aps-environment</key><string>development</string><key>com.apple.InAppPurchase</key><true/>")
    result = fixed(shared)
    assert result == shared.replace(b"<key>com.apple.InAppPurchase</key><true/>", b"")
    assert plistlib.loads(result) == {"aps-environment": "development"}


def test_a_fix_that_would_break_the_file_is_not_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from entitlements_lint.findings import Edit
    from entitlements_lint.rules.base import Context

    monkeypatch.setattr(Context, "replace_text", lambda self, node, text: Edit(node.inner_start, node.inner_end, "</string><"))
    path = tmp_path / "App.entitlements"
    data = plist("<key>aps-environment</key>\n<string>Production</string>")
    path.write_bytes(data)
    code, out, _ = check(["--isolated", "--fix", path], capsys)
    assert path.read_bytes() == data
    assert code == 1 and "ENT005" in out


def test_stdin_fix_writes_the_fixed_document_to_stdout(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    data = plist("<key>aps-environment</key>\n<string>Production</string>")

    class FakeStdin:
        buffer = io.BytesIO(data)

    out_buffer = io.BytesIO()

    class FakeStdout(io.TextIOWrapper):
        pass

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    wrapper = FakeStdout(out_buffer, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", wrapper)
    from entitlements_lint.cli_check import main

    code = main(["--isolated", "--fix", "--stdin-filename", "App.entitlements", "-"])
    wrapper.flush()
    assert out_buffer.getvalue() == data.replace(b"Production", b"production")
    assert code == 0
    assert "fixed 1" in capsys.readouterr().err


# -- property: fixes never produce a file that does not parse, and are idempotent -----

ENTRIES = [
    "<key>aps-environment</key>\n<string>Production</string>",
    "<key>aps-environment</key>\n<string>development</string>",
    "<key>com.apple.developer.aps-environment</key>\n<string>development</string>",
    "<key>com.apple.developer.app-groups</key>\n<array>\n\t<string>group.a</string>\n</array>",
    "<key>com.apple.security.application-groups</key>\n<array>\n\t<string>group.a</string>\n</array>",
    "<key>com.apple.developer.in-app-purchase</key>\n<true/>",
    "<key>com.apple.InAppPurchase</key><true/>",
    "<key>UIBackgroundModes</key>\n<array>\n\t<string>voip</string>\n</array>",
    "<key>NSCameraUsageDescription</key>\n<string>Scan &amp; save</string>",
    "<key>get-task-allow</key>\n<true/>",
    "<key>application-identifier</key>\n<string>ABCDE12345.com.example</string>",
    "<!-- a note -->",
    "<key>com.apple.developer.networking.configuration</key>\n<true/>",
    "<key>com.apple.developer.family-controls.user-authorization</key>\n<true/>",
    "<key>com.apple.security.app-sandbox</key>\n<true/>",
    "<key>com.apple.developer.push-notifications</key>\n<string>production</string>",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(st.sampled_from(ENTRIES), max_size=7),
    platforms=st.sampled_from([None, ("iOS",), ("macOS",), ("iOS", "macCatalyst")]),
    distribution=st.sampled_from([None, "app-store"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_fixes_always_parse_and_are_idempotent(entries: list[str], platforms, distribution, newline: str) -> None:  # type: ignore[no-untyped-def]
    db = load()
    settings = Settings(platforms=platforms, distribution=distribution)

    def lint(data: bytes) -> list:  # type: ignore[type-arg]
        return engine.lint_bytes(data, "App.entitlements", settings, db).findings

    data = plist("\n".join(entries), newline=newline)
    new, count, remaining = fixes.fix_bytes(data, lint, True)
    document = parse(new)
    assert document.root.kind == "dict"
    assert fixes.fix_bytes(new, lint, True)[:2] == (new, 0)
    assert fixes.applicable(remaining, True) == []  # everything fixable was fixed
    assert (count > 0) == (new != data)
    # Untouched lines keep their bytes and line endings.
    if newline == "\r\n":
        assert b"\n" not in new.replace(b"\r\n", b"")


def test_binary_files_get_key_paths_and_are_never_rewritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = plistlib.dumps({"aps-environment": "Production", "com.apple.developer.app-groups": ["group.a"]},
                          fmt=plistlib.FMT_BINARY)
    path = tmp_path / "App.entitlements"
    path.write_bytes(data)
    code, out, _ = check(["--isolated", "--platform", "iOS", "--unsafe-fixes", "--format", "json", path], capsys)
    assert path.read_bytes() == data
    assert code == 1
    import json

    found = json.loads(out)["findings"]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("ENT001", 1, 1), ("ENT005", 1, 1), ("ENT103", 1, 1)]
    assert found[0]["message"].endswith("(at /com.apple.developer.app-groups)")
    assert found[1]["message"].endswith("(at /aps-environment)")
    assert all("fix" not in f for f in found)


@pytest.mark.parametrize(("wrong", "right"), [
    ("com.apple.developer.Associated-Domains", "com.apple.developer.associated-domains"),  # letter case
    ("com.apple.developer.app-groups", "com.apple.security.application-groups"),  # catalogued invention
])
def test_no_rename_onto_a_key_already_there_and_the_note_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  wrong: str, right: str) -> None:
    data = plist(f"<key>{right}</key>\n<array/>\n<key>{wrong}</key>\n<array/>")
    path = tmp_path / "App.entitlements"
    path.write_bytes(data)
    code, out, _ = check(["--isolated", "--platform", "iOS", "--unsafe-fixes", "--fix", "--format", "json", path], capsys)
    assert path.read_bytes() == data
    (finding,) = [f for f in json.loads(out)["findings"] if f["key"] == wrong]
    assert "fix" not in finding or finding["fix"] is None
    assert finding["note"].endswith(f"Not fixed: `{right}` is also in this file; merge the two by hand.")
