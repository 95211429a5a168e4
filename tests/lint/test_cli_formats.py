"""Output formats as a user of ruff expects them, through the real `entlint` process (issue 12).

Each test names the complaint it answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lint_helpers import plist

APP = plist("""
<!-- beta -->
<key>com.apple.developer.app-groups</key>
<array>
	<string>group.com.example.shared</string>
</array>
<key>com.apple.developer.family-controls</key>
<true/>
<key>aps-environment</key>
<string>Production</string>
""")
CONCISE = [
    "App.entitlements:5:2: ENT104 [warning] XML comment in an entitlements file: codesign may drop files with comments",
    "App.entitlements:6:2: ENT001 [error] `com.apple.developer.app-groups` is not an entitlement; "
    "use `com.apple.security.application-groups`",
]


def entlint(*args: str, cwd: Path, env: dict[str, str] | None = None,
            stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """`entlint ARGS` in a real process; the environment carries no colour settings unless given."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "entitlements_lint.main", *args],
        cwd=cwd, env=dict(base, PYTHONDONTWRITEBYTECODE="1", **(env or {})),
        input=stdin.decode() if stdin is not None else None,
        capture_output=True, text=True, check=False, timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "App.entitlements").write_bytes(APP)
    return tmp_path


def test_concise_is_one_line_per_finding(project: Path) -> None:
    """Why: `--format concise` was byte-identical to `text`."""
    proc = entlint("check", "--isolated", "--platform", "iOS", "--format", "concise", "App.entitlements", cwd=project)
    text = entlint("check", "--isolated", "--platform", "iOS", "App.entitlements", cwd=project)
    assert proc.returncode == 1 and proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[:2] == CONCISE
    assert [line.split(" ")[1:3] for line in lines[:4]] == [
        ["ENT104", "[warning]"], ["ENT001", "[error]"], ["ENT008", "[info]"], ["ENT005", "[error]"],
    ]
    assert lines[4].startswith("Checked 1 file: ") and len(lines) == 5
    assert not any(line.startswith("  ") for line in lines)  # no note/help/see lines
    assert proc.stdout != text.stdout and "  see: " in text.stdout


def test_text_names_the_severity_in_words_without_colour(project: Path) -> None:
    """Why: with colour off (CI logs, Xcode) warnings and info looked like errors."""
    proc = entlint("check", "--isolated", "--platform", "iOS", "App.entitlements", cwd=project)
    heads = [line for line in proc.stdout.splitlines() if line.startswith("App.entitlements:")]
    assert [h.split(" ")[2] for h in heads] == ["[warning]", "[error]", "[info]", "[error]"]
    assert "\x1b[" not in proc.stdout


@pytest.mark.parametrize(("env", "args", "coloured"), [
    ({}, [], False),                                      # not a terminal
    ({"FORCE_COLOR": "1"}, [], True),                     # CI asks for colour
    ({"FORCE_COLOR": "0"}, [], False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, [], False),   # the user's NO_COLOR wins
    ({"NO_COLOR": "1"}, ["--color", "always"], True),     # an explicit option wins over both
    ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
], ids=["pipe", "force", "force-0", "no-color-wins", "always", "never"])
def test_colour_honours_no_color_and_force_color(project: Path, env: dict[str, str], args: list[str],
                                                 coloured: bool) -> None:
    proc = entlint("check", "--isolated", "--platform", "iOS", *args, "App.entitlements", cwd=project, env=env)
    assert ("\x1b[33m[warning]\x1b[0m" in proc.stdout) is coloured
    assert ("\x1b[" in proc.stdout) is coloured


def test_colour_on_a_terminal_and_no_color_there(project: Path) -> None:
    """On a real terminal colour is on by default, and NO_COLOR turns it off."""
    pty = pytest.importorskip("pty", reason="run on Linux or macOS: the test opens a pseudo-terminal (pty)")

    def on_terminal(env: dict[str, str]) -> bytes:
        leader, follower = pty.openpty()
        base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "entitlements_lint.main", "check", "--isolated", "--platform", "iOS",
             "App.entitlements"], cwd=project, stdout=follower, stderr=subprocess.DEVNULL, env=dict(base, **env),
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO once the child has closed the terminal (Linux)
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=120)
        os.close(leader)
        return b"".join(chunks)

    assert b"\x1b[31m[error]\x1b[0m" in on_terminal({})
    assert b"\x1b[" not in on_terminal({"NO_COLOR": "1"})


def test_statistics_follow_the_format(project: Path) -> None:
    """Why: `--statistics` printed its plain-text table even with `--format json` or `sarif`."""
    proc = entlint("check", "--isolated", "--platform", "iOS", "--statistics", "--format", "json", ".", cwd=project)
    assert proc.returncode == 1 and proc.stderr == ""
    document = json.loads(proc.stdout)
    assert document["files"] == 1
    assert document["statistics"][0] == {"code": "ENT001", "name": "unknown-entitlement", "count": 1, "fixable": 1}
    assert sorted(row["code"] for row in document["statistics"]) == ["ENT001", "ENT005", "ENT008", "ENT104"]
    for fmt in ("sarif", "github"):
        proc = entlint("check", "--isolated", "--platform", "iOS", "--statistics", "--format", fmt, ".", cwd=project)
        assert proc.returncode == 1
        if fmt == "sarif":
            assert len(json.loads(proc.stdout)["runs"][0]["results"]) == 4  # stdout stays valid SARIF
        else:
            assert all(line.startswith("::") for line in proc.stdout.splitlines())
        assert "    1  ENT001  unknown-entitlement [1 fixable]" in proc.stderr.splitlines()


def test_diff_prints_only_the_diff_and_it_applies(project: Path) -> None:
    """Why: `--diff` mixed the findings into the diff on stdout, so it could not be piped to patch."""
    proc = entlint("check", "--isolated", "--platform", "iOS", "--diff", "App.entitlements", cwd=project)
    assert proc.returncode == 1
    assert proc.stdout.startswith("--- a/App.entitlements\n+++ b/App.entitlements\n@@ ")
    assert all(line[:1] in (" ", "+", "-", "@") for line in proc.stdout.splitlines())
    assert "App.entitlements:6:2: ENT001 [error] " in proc.stderr
    assert (project / "App.entitlements").read_bytes() == APP  # nothing written
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    applied = subprocess.run(["git", "apply", "-"], cwd=project, input=proc.stdout, text=True,
                             capture_output=True, check=False)
    assert applied.returncode == 0, applied.stderr
    assert b"com.apple.security.application-groups" in (project / "App.entitlements").read_bytes()
    again = entlint("check", "--isolated", "--platform", "iOS", "--diff", "App.entitlements", cwd=project)
    assert again.stdout == ""  # nothing left to fix; the remaining findings decide the exit code
    assert again.returncode == 1 and "ENT104 [warning]" in again.stderr


def test_diff_without_changes_exits_0_on_a_clean_file(tmp_path: Path) -> None:
    (tmp_path / "App.entitlements").write_bytes(plist("<key>aps-environment</key>\n<string>development</string>"))
    proc = entlint("check", "--isolated", "--diff", "App.entitlements", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == ""
