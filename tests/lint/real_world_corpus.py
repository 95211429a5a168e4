"""The shared checks of the real-world fixture sets: every folder lints clean, with and
without the options its targets are built with, apart from the managed-key notes listed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from lint_helpers import check

Run = tuple[str, "list[str] | None", "str | None"]


class Corpus:
    """A fixture folder of correct projects, the runs that lint them and the ENT008 notes allowed."""

    def __init__(self, root: Path, managed: dict[str, list[str]], runs: list[Run]) -> None:
        self.root = root
        self.managed = managed
        self.runs = runs
        self.folders = sorted(p.name for p in root.iterdir() if p.is_dir())

    def findings(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, target: str,
                 platforms: list[str] | None = None, distribution: str | None = None) -> list[dict]:
        monkeypatch.chdir(self.root)
        argv = ["--isolated", "--format", "json", "--exit-zero", target]
        for platform in platforms or ():
            argv += ["--platform", platform]
        if distribution:
            argv += ["--distribution", distribution]
        code, out, err = check(argv, capsys)
        assert code == 0, err
        return json.loads(out)["findings"]

    def only_managed_notes(self, found: list[dict]) -> None:
        loud = [(f["path"], f["code"], f["message"]) for f in found if f["severity"] != "info"]
        assert loud == []
        for f in found:
            assert f["code"] == "ENT008", (f["path"], f["message"])
            assert f["key"] in self.managed.get(f["path"], []), (f["path"], f["key"])


def standard_tests(corpus: Corpus) -> tuple[Callable[..., None], ...]:
    """The four tests every fixture set runs; a test module assigns them to its own names."""

    def every_folder_is_run_with_its_options() -> None:
        assert {t.split("/")[0] for t, _, _ in corpus.runs} == set(corpus.folders)

    @pytest.mark.parametrize("folder", corpus.folders)
    def a_correct_folder_gets_no_warning_without_options(
            folder: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        corpus.only_managed_notes(corpus.findings(capsys, monkeypatch, folder))

    @pytest.mark.parametrize(("target", "platforms", "distribution"), corpus.runs,
                             ids=[f"{t}-{'+'.join(p or ['inferred'])}-{d}" for t, p, d in corpus.runs])
    def a_correct_folder_gets_no_warning_with_its_options(
            target: str, platforms: list[str] | None, distribution: str | None,
            capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        corpus.only_managed_notes(corpus.findings(capsys, monkeypatch, target, platforms, distribution))

    def the_managed_notes_are_all_there(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """The allow-list is exact: every managed key in the fixtures is still noted."""
        noted = {(f["path"], f["key"]) for folder in corpus.folders
                 for f in corpus.findings(capsys, monkeypatch, folder)}
        assert noted == {(path, key) for path, keys in corpus.managed.items() for key in keys}

    return (every_folder_is_run_with_its_options, a_correct_folder_gets_no_warning_without_options,
            a_correct_folder_gets_no_warning_with_its_options, the_managed_notes_are_all_there)
