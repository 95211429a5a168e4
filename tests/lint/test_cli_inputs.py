"""Inputs, through the real `entlint check` process (issue 12): each file once, standard
input as in ruff, exit codes as documented."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lint_helpers import cli, plist

BAD = plist("<key>com.apple.developer.push-notifications</key>\n<true/>")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "App").mkdir()
    (tmp_path / "App" / "App.entitlements").write_bytes(BAD)
    return tmp_path


def heads(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "ENT001" in line and not line.startswith(" ")]


@pytest.mark.parametrize("paths", [
    ["App/App.entitlements", "App/App.entitlements"],
    ["App/App.entitlements", "App"],
    ["App", "App/App.entitlements"],
    ["App", "./App/", "."],
    ["App/App.entitlements", "App/../App/App.entitlements"],
    ["App/App.entitlements", "Link.entitlements"],
], ids=["twice", "file-then-folder", "folder-then-file", "folder-spellings", "dot-dot", "symlink"])
def test_each_file_is_linted_once(project: Path, paths: list[str]) -> None:
    """Why: `entlint check x.entitlements x.entitlements` reported every finding twice."""
    (project / "Link.entitlements").symlink_to(project / "App" / "App.entitlements")
    proc = cli(["--isolated", *paths], cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert len(heads(proc.stdout)) == 1, proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("Checked 1 file: ")


@pytest.mark.parametrize("paths", [[], ["-"]], ids=["no-paths", "dash"])
def test_stdin_filename_reads_standard_input(project: Path, paths: list[str]) -> None:
    proc = cli(["--isolated", "--stdin-filename", "Named.entitlements", *paths], cwd=project, stdin=BAD)
    assert proc.returncode == 1, proc.stderr
    assert heads(proc.stdout) and all(h.startswith("Named.entitlements:5:2: ") for h in heads(proc.stdout))
    assert "App/App.entitlements" not in proc.stdout  # the folder was not linted


@pytest.mark.parametrize("paths", [["App"], ["-", "App"], ["App/App.entitlements"]])
def test_stdin_filename_with_other_paths_is_a_usage_error(project: Path, paths: list[str]) -> None:
    """Why: `--stdin-filename foo.entitlements` without `-` silently ignored stdin and linted the folder."""
    proc = cli(["--isolated", "--stdin-filename", "Named.entitlements", *paths], cwd=project, stdin=BAD)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "--stdin-filename names standard input: give no paths, or -" in proc.stderr or (
        "cannot be combined" in proc.stderr)


def test_dash_with_other_paths_is_a_usage_error(project: Path) -> None:
    proc = cli(["--isolated", "-", "App"], cwd=project, stdin=BAD)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "- (standard input) cannot be combined with other paths" in proc.stderr


def test_no_paths_lints_the_current_folder(project: Path) -> None:
    proc = cli(["--isolated"], cwd=project)
    assert proc.returncode == 1
    assert heads(proc.stdout)[0].startswith(os.path.join("App", "App.entitlements") + ":5:2: ")


@pytest.mark.parametrize(("content", "args", "expected"), [
    (plist("<key>aps-environment</key>\n<string>development</string>"), [], 0),
    (BAD, [], 1),
    (b"", [], 2),
    (BAD, ["--platform", "Android"], 2),
    (BAD, ["--no-such-option"], 2),
], ids=["clean", "finding", "unreadable", "bad-value", "bad-option"])
def test_exit_codes_as_documented(project: Path, content: bytes, args: list[str], expected: int) -> None:
    (project / "App" / "App.entitlements").write_bytes(content)
    assert cli(["--isolated", *args, "App"], cwd=project).returncode == expected


def test_a_folder_with_nothing_to_lint_passes_with_a_warning(tmp_path: Path) -> None:
    """Like ruff's "No Python files found": a typo in a CI path must not look like a clean run."""
    (tmp_path / "Sources").mkdir()
    (tmp_path / "Sources" / "main.swift").write_text("print(1)\n")
    proc = cli(["Sources"], cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr == "entlint: warning: no entitlements file, Info.plist or Xcode project found in Sources\n"
    assert cli(["--quiet", "Sources"], cwd=tmp_path).stderr == ""
