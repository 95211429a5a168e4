"""A target whose configurations sign with different files (tests/fixtures/real-world-3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from entitlements_lint.cli_check import main

FIXTURE = Path(__file__).parent.parent / "fixtures" / "real-world-3" / "xcode-configurations"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["--isolated", "--format", "json", *argv])
    return code, json.loads(capsys.readouterr().out)["findings"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "Notes")
    monkeypatch.chdir(tmp_path / "Notes")
    return tmp_path / "Notes"


def test_each_configurations_file_is_linted_and_a_missing_one_says_who_names_it(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = _run(capsys, "--distribution", "app-store", "Notes.xcodeproj")
    assert code == 2  # Beta's file is missing
    assert sorted((f["code"], f["path"]) for f in findings if f["severity"] != "info") == [
        ("ENT009", "Notes/NotesDebug.entitlements"),  # Debug: not a distribution build, so no ENT010
        ("ENT100", "Notes/Beta.entitlements"),
        ("ENT201", "Notes/Info.plist"),
    ]
    (missing,) = [f for f in findings if f["code"] == "ENT100"]
    assert missing["message"] == ("cannot read: No such file or directory (named by CODE_SIGN_ENTITLEMENTS "
                                  "of target Notes (Beta) in Notes.xcodeproj)")


def test_a_path_through_a_setting_the_project_does_not_define_names_it(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pbxproj = project / "Notes.xcodeproj" / "project.pbxproj"
    pbxproj.write_text(pbxproj.read_text().replace("${SRCROOT}/Notes/Beta", "$(CONFIG_ROOT)/Beta"))
    _, findings = _run(capsys, "Notes.xcodeproj")
    (missing,) = [f for f in findings if f["code"] == "ENT100"]
    assert missing["path"] == "$(CONFIG_ROOT)/Beta.entitlements"
    assert missing["message"].endswith("in Notes.xcodeproj; $(CONFIG_ROOT) is not set in the project "
                                       "(.xcconfig files are not read))")


def test_a_workspace_lints_the_projects_it_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`group:` paths nest inside their group; Pods/Pods.xcodeproj (absent before `pod install`)
    is a dependency and skipped, as the folder walk skips Pods/."""
    shutil.copytree(FIXTURE.parent, tmp_path / "set")
    monkeypatch.chdir(tmp_path / "set")
    code, findings = _run(capsys, "Notes.xcworkspace")
    assert code == 2
    assert sorted({(f["code"], f["path"]) for f in findings if f["severity"] != "info"}) == [
        ("ENT009", "xcode-configurations/Notes/NotesDebug.entitlements"),
        ("ENT100", "xcode-configurations/Notes/Beta.entitlements"),
        ("ENT201", "xcode-configurations/Notes/Info.plist"),
    ]


@pytest.mark.parametrize(("content", "message"), [
    ('<Workspace version="1.0"><FileRef location="container:Gone/Gone.xcodeproj"/></Workspace>',
     "no such Xcode project (listed by W.xcworkspace)"),
    ('<Workspace version="1.0"></Workspace>', "the workspace lists no Xcode project"),
    ('<Workspace version="1.0">', "contents.xcworkspacedata is not well formed"),
    ('<!DOCTYPE w [<!ENTITY a "b">]><Workspace/>', "contents.xcworkspacedata declares entities"),
    (None, "cannot read contents.xcworkspacedata"),
])
def test_a_workspace_that_leads_nowhere_is_an_error_not_a_clean_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        content: str | None, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "W.xcworkspace").mkdir()
    if content is not None:
        (tmp_path / "W.xcworkspace" / "contents.xcworkspacedata").write_text(content)
    code, findings = _run(capsys, "W.xcworkspace")
    assert code == 2
    assert [f["code"] for f in findings] == ["ENT100"]
    assert message in str(findings[0]["message"])


def test_fix_through_a_project_writes_nothing_and_names_the_files_to_fix(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (project / "Notes" / "NotesDebug.entitlements").read_bytes()
    code = main(["--isolated", "--unsafe-fixes", "--fix", "Notes.xcodeproj"])
    err = capsys.readouterr().err
    assert code == 2
    assert (project / "Notes" / "NotesDebug.entitlements").read_bytes() == before
    assert ("entlint: Notes.xcodeproj: fixes are not applied through a project or built product; "
            "run --fix on the files: Notes/NotesDebug.entitlements\n") in err
    main(["--isolated", "Notes.xcodeproj"])
    assert "fixes are not applied" not in capsys.readouterr().err
