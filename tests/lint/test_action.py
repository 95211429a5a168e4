"""The GitHub Action (`action.yml`): parsed, and its `entlint` step run locally against the
example project with the installed package (no download, no network)."""

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

ACTION = REPO / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@pytest.fixture(scope="module")
def action() -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))


def test_a_composite_action_with_the_documented_inputs(action: dict) -> None:
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"paths", "platform", "distribution", "format"} <= set(inputs)
    assert inputs["format"]["default"] == "github"
    assert all(i["description"] and "default" in i for i in inputs.values())
    install, *_ = action["runs"]["steps"]
    # installs the action's own checkout, so the workflow's `@vX.Y.Z` is the version that runs
    assert '"$GITHUB_ACTION_PATH"' in install["run"] and "pip install" in install["run"]


def entlint_steps(action: dict) -> list[dict]:
    steps = [s for s in action["runs"]["steps"] if re.search(r"^\s*entlint ", s.get("run", ""), re.M)]
    assert steps, "action.yml has no step that runs entlint"
    return steps


def run_steps(action: dict, inputs: dict[str, str], workspace: Path) -> tuple[subprocess.CompletedProcess, dict]:
    """Run the action's `entlint` steps as the runner would: bash, the step's env, inputs filled in."""
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values = {**defaults, **inputs}

    def evaluate(text: str) -> str:
        def one(match: re.Match) -> str:
            name = match.group(1)
            assert name.startswith("inputs."), f"the test does not know the expression {name!r}"
            return values[name.removeprefix("inputs.")]
        return EXPRESSION.sub(one, text)

    output = workspace / "github-output"
    output.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NO_COLOR", "FORCE_COLOR"))}
    # `entlint` is the package installed beside this Python, as the install step leaves it on PATH
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["GITHUB_OUTPUT"] = str(output)
    procs = []
    for step in entlint_steps(action):
        assert step["shell"] == "bash"
        step_env = {**env, **{k: evaluate(str(v)) for k, v in step.get("env", {}).items()}}
        assert "${{" not in step["run"], "inputs reach the script through env, never by substitution"
        # the runner's bash flags for `shell: bash`
        procs.append(subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                    cwd=workspace, env=step_env, capture_output=True, text=True, timeout=120))
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return procs[-1], outputs


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository holding the example project."""
    shutil.copytree(REPO / "examples" / "MyApp", tmp_path / "MyApp")
    return tmp_path


def test_github_annotations_by_default(action: dict, workspace: Path) -> None:
    proc, outputs = run_steps(action, {"paths": "MyApp"}, workspace)
    assert proc.returncode == 1, proc.stderr  # the example has invented keys on purpose
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines), lines
    assert "::error file=MyApp/MyApp/MyApp.entitlements,line=7,col=2," in proc.stdout
    assert outputs == {}


def test_sarif_for_code_scanning(action: dict, workspace: Path) -> None:
    inputs = {"paths": "MyApp/MyApp MyApp/MyMacApp", "format": "sarif", "platform": "iOS, macCatalyst",
              "distribution": "app-store"}
    proc, outputs = run_steps(action, inputs, workspace)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert outputs == {"sarif-file": "entlint.sarif"}
    sarif = json.loads((workspace / "entlint.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"ENT001", "ENT200"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "MyApp/MyApp/MyApp.entitlements" in uris


def test_platform_and_distribution_reach_entlint(action: dict, workspace: Path) -> None:
    """`get-task-allow` fails an App Store build only when the distribution is passed on."""
    entitlements = workspace / "Clean" / "App.entitlements"
    entitlements.parent.mkdir()
    entitlements.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
        b"\t<key>get-task-allow</key>\n\t<true/>\n</dict>\n</plist>\n"
    )
    plain, _ = run_steps(action, {"paths": "Clean", "platform": "iOS"}, workspace)
    store, _ = run_steps(action, {"paths": "Clean", "platform": "iOS", "distribution": "app-store"}, workspace)
    assert plain.returncode in (0, 1) and plain.stderr == "", plain.stderr
    assert "ENT010" not in plain.stdout
    assert "title=ENT010 " in store.stdout and store.returncode == 1


def readme_workflows() -> list[dict]:
    from ruamel.yaml import YAML

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.github/workflows/.*?)```", readme, re.S)
    return [YAML(typ="safe").load(block) for block in blocks]


def test_the_readme_shows_both_workflows_and_they_run(action: dict, workspace: Path) -> None:
    """The README's workflows pin this release and pass only inputs the action has."""
    from entitlements_lint import __version__

    workflows = readme_workflows()
    formats = []
    for workflow in workflows:
        (job,) = workflow["jobs"].values()
        (step,) = [s for s in job["steps"] if s.get("uses", "").startswith("entlint/entlint@")]
        assert step["uses"] == f"entlint/entlint@v{__version__}"
        inputs = {k: str(v) for k, v in step.get("with", {}).items()}
        assert set(inputs) <= set(action["inputs"])
        proc, outputs = run_steps(action, inputs, workspace)
        assert proc.returncode == 1 and proc.stderr == "", proc.stderr
        formats.append(inputs.get("format", "github"))
        if inputs.get("format") == "sarif":
            upload = job["steps"][-1]
            assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
            assert upload["with"]["sarif_file"] == outputs["sarif-file"]
            assert (workspace / upload["with"]["sarif_file"]).is_file()
    assert sorted(formats) == ["github", "sarif"]
