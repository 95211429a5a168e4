"""The pre-commit hook: its `files` pattern picks exactly the files entlint lints, the README
snippet names this release, and (opt-in, as it needs the package index) `pre-commit try-repo` works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from entitlements_lint.engine import file_kind

HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"

MATCH = [
    "App.entitlements",
    "Info.plist",
    "Foo-Info.plist",
    "ios/Runner/Runner.entitlements",
    "ios/Runner/Info.plist",
    "macos/Runner/DebugProfile.entitlements",
    "My App/My App-Info.plist",
    "Extension/Extension.entitlements",
]
NO_MATCH = [
    "Foo.plist",
    "Info.plist.bak",
    "App.entitlements.orig",
    "GoogleService-Info.plist.json",
    "Settings.bundle/Root.plist",
    "ios/Runner/Assets.xcassets/Contents.json",
    "docs/Info.plist.md",
]


@pytest.fixture(scope="module")
def hook() -> dict:
    from ruamel import yaml

    hooks = yaml.YAML(typ="safe").load(HOOKS.read_text(encoding="utf-8"))
    (entlint,) = [h for h in hooks if h["id"] == "entlint"]
    return entlint


def test_hook_runs_entlint_check(hook: dict) -> None:
    assert hook["entry"].split()[:2] == ["entlint", "check"]
    assert hook["language"] == "python"


@pytest.mark.parametrize("path", MATCH)
def test_files_pattern_matches(hook: dict, path: str) -> None:
    # pre-commit applies `files` with re.search to paths relative to the repository root.
    assert re.search(hook["files"], path), path
    assert file_kind(path) is not None  # and entlint lints it when it is passed


@pytest.mark.parametrize("path", NO_MATCH)
def test_files_pattern_does_not_match(hook: dict, path: str) -> None:
    assert not re.search(hook["files"], path), path


def test_hook_entry_lints_the_files_pre_commit_passes(hook: dict, tmp_path: Path) -> None:
    """pre-commit runs `entry` with the matching paths appended: do it once by hand."""
    import sys

    (tmp_path / "App.entitlements").write_bytes(b"<plist><dict><key>com.apple.developer.app-groups</key><true/></dict></plist>")
    args = hook["entry"].split()[1:] + hook.get("args", []) + ["App.entitlements"]
    proc = subprocess.run([sys.executable, "-m", "entitlements_lint.main", *args], cwd=tmp_path, check=False,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stdout.startswith("App.entitlements:1:14: ENT001 ")


ROOT = HOOKS.parent


def test_readme_snippet_rev_is_the_package_version() -> None:
    """pre-commit checks out `rev` as a tag: it must name the release this checkout is."""
    from entitlements_lint import __version__

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = readme.split("# .pre-commit-config.yaml", 1)[1].split("```", 1)[0]
    assert "repo: https://github.com/entlint/entlint" in snippet
    (rev,) = re.findall(r"^\s*rev:\s*(\S+)\s*$", snippet, re.M)
    assert rev == f"v{__version__}"


def test_the_version_is_written_once() -> None:
    """The distribution's version is read from `__version__`, so the two cannot drift apart."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "entitlements_lint.__version__"}


@pytest.mark.skipif(
    not (os.environ.get("ENTLINT_TRY_REPO") and shutil.which("pre-commit")),
    reason="set ENTLINT_TRY_REPO=1 and install pre-commit (pip install pre-commit) to run `pre-commit try-repo`: "
           "it installs this checkout with pip into pre-commit's own environment, which reaches the package index",
)
def test_try_repo(tmp_path: Path) -> None:
    """What a user's `pre-commit run` does with the README snippet, from this checkout."""
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "App.entitlements").write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
        b"\t<key>com.apple.developer.app-groups</key>\n\t<true/>\n</dict>\n</plist>\n"
    )
    (project / "Fine.entitlements").write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
        b"\t<key>com.apple.security.app-sandbox</key>\n\t<true/>\n</dict>\n</plist>\n"
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def try_repo(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run(["pre-commit", "try-repo", str(ROOT), "entlint", "--files", *files], cwd=project,
                              env=env, capture_output=True, text=True, timeout=600, check=False)

    failed = try_repo("App.entitlements")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "App.entitlements:4:2: ENT001 [error] `com.apple.developer.app-groups`" in failed.stdout
    passed = try_repo("Fine.entitlements")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^entlint\.+Passed$", passed.stdout, re.M)
