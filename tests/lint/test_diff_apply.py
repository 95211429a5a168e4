"""`--diff` output is applied by `git apply` as it is, and gives what `--fix` writes.

README promises `entlint check --diff | git apply`; these files are the ones where a
hand-written diff goes wrong: no newline at the end, CRLF, a path given absolute or with
`..`, a form feed inside a string.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from entitlements_lint import fixes
from lint_helpers import check

BROKEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
    '<plist version="1.0">\n'
    "<dict>\n"
    "  <key>aps-environment</key>\n"
    "  <string>Production</string>\n"
    "  <key>com.apple.developer.Associated-domains</key>\n"
    "  <array>\n"
    "    <string>applinks:example.com</string>\n"
    "  </array>\n"
    "</dict>\n"
    "</plist>\n"
)

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="install git to apply the diff as a user would")


def _diff_then_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, name: str,
                   given: str) -> tuple[str, bytes]:
    """The diff for `given` (how the user names the file) and the bytes `--fix` writes."""
    path = tmp_path / name
    path.write_bytes(data)
    code, diff, _ = check(["--isolated", "--platform", "iOS", "--unsafe-fixes", "--diff", given], capsys)
    assert code == 1 and diff
    assert path.read_bytes() == data  # --diff writes nothing
    check(["--isolated", "--platform", "iOS", "--unsafe-fixes", "--fix", given], capsys)
    fixed = path.read_bytes()
    path.write_bytes(data)
    return diff, fixed


@needs_git
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("last_newline", [True, False])
@pytest.mark.parametrize("given", ["relative", "absolute", "dotdot"])
def test_git_apply_takes_the_diff_and_gives_what_fix_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str], newline: str,
                                                              last_newline: bool, given: str) -> None:
    (tmp_path / "App").mkdir()
    monkeypatch.chdir(tmp_path)
    text = BROKEN.replace("\n", newline)
    data = (text if last_newline else text[: -len(newline)]).encode()
    name = {"relative": "App/My App.entitlements", "absolute": str(tmp_path / "App" / "My App.entitlements"),
            "dotdot": f"../{tmp_path.name}/App/My App.entitlements"}[given]
    diff, fixed = _diff_then_fix(tmp_path, capsys, data, "App/My App.entitlements", name)
    assert fixed != data
    assert diff.startswith("--- a/App/My App.entitlements\n+++ b/App/My App.entitlements\n")
    (tmp_path / "fix.diff").write_bytes(diff.encode())
    subprocess.run(["git", "apply", "fix.diff"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "App" / "My App.entitlements").read_bytes() == fixed


def test_a_last_line_without_newline_is_marked() -> None:
    before = b"<plist>\n<dict/>\n</plist>"
    diff = fixes.unified_diff("x.plist", before, before.replace(b"<dict/>", b"<dict></dict>"))
    assert diff.endswith(" </plist>\n\\ No newline at end of file\n")


def test_a_form_feed_or_line_separator_in_a_string_is_not_a_line_end() -> None:
    before = "<string>a\x0cb\u2028c</string>\n<key>K</key>\n".encode()
    diff = fixes.unified_diff("x.plist", before, before.replace(b"K", b"k"))
    assert " <string>a\x0cb\u2028c</string>\n-<key>K</key>\n+<key>k</key>\n" in diff
