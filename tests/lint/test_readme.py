"""The README's command lines, run as written by a shell (offline) on a copy of the example
project: each ends with the exit code the README's exit-code section promises."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lint_helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")

#: Exit code per README command. The example files carry invented keys on purpose (1), a
#: non-existent key is not an entitlement (`db show` exits 1), the rest succeed.
EXPECTED = {
    "entlint check": 1,
    "entlint check App/App.entitlements App/Info.plist": 1,
    "entlint check --platform macOS --distribution developer-id Mac/": 1,
    "entlint check --fix": 1,  # safe fixes applied; findings without a fix remain
    "entlint check --unsafe-fixes --diff": 1,  # there is a diff
    "entlint check - --stdin-filename App.entitlements < App.entitlements": 1,
    "entlint rules": 0,
    "entlint rule ENT006": 0,
    "entlint db show com.apple.developer.family-controls": 0,
    "entlint db show com.apple.developer.push-notifications --platform macOS": 1,
    'entlint db search "app groups"': 0,
    'entlint db search "jit compilation" --platform macOS --format json': 0,
    "entlint db list --platform visionOS --managed": 0,
    "entlint db export > entitlements.json": 0,
}


def usage_commands() -> list[str]:
    block = README.split("## Usage\n", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The names the README uses: App/ (an iOS target), Mac/ and a lone App.entitlements."""
    example = REPO / "examples" / "MyApp"
    shutil.copytree(example / "MyApp", tmp_path / "App")
    (tmp_path / "App" / "MyApp.entitlements").rename(tmp_path / "App" / "App.entitlements")
    shutil.copytree(example / "MyMacApp", tmp_path / "Mac")
    shutil.copy(tmp_path / "App" / "App.entitlements", tmp_path / "App.entitlements")
    return tmp_path


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_every_usage_line_is_known() -> None:
    assert usage_commands() == list(EXPECTED)


@pytest.mark.parametrize(("command", "code"), EXPECTED.items(), ids=list(EXPECTED))
def test_usage_command(workspace: Path, command: str, code: int) -> None:
    proc = shell(command, workspace)
    assert proc.returncode == code, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    if command.endswith("> entitlements.json"):
        assert json.loads((workspace / "entitlements.json").read_text(encoding="utf-8"))
    elif ">" not in command:
        assert proc.stdout.strip()


def test_try_it_lints_the_example_project() -> None:
    """The README's first command, after its install step: findings on purpose, exit 1."""
    (line,) = [ln for ln in README.splitlines() if ln.startswith("python3 -m venv") and "entlint check" in ln]
    command = line.split("&& ")[-1]
    assert command == "entlint check examples/MyApp"
    proc = shell(command, REPO)
    assert proc.returncode == 1, proc.stderr
    assert "ENT001 [error] `com.apple.developer.app-groups` is not an entitlement" in proc.stdout


def test_the_counts_in_the_readme_are_the_datas() -> None:
    from entitlements_db import load

    db = load()
    (real,) = re.findall(r"\((\d+) real\s+keys", README)
    assert int(real) == len(db)
    for shown in re.findall(r"entlint data \S+,\s+(\d+) keys", README):
        assert int(shown) == len(db)
