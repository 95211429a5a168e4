"""Configuration: `.entlint.toml` and `pyproject.toml [tool.entlint]`, found upward from
each linted file; what each setting does; bad configuration is a clear exit-2 error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lint_helpers import check, cli, plist

APS = plist("<key>aps-environment</key>\n<string>development</string>")


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def findings(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[dict]]:
    code, out, err = check(["--format", "json", *map(str, args)], capsys)
    assert err == "", err
    return code, json.loads(out)["findings"]


def rules(found: list[dict]) -> list[str]:
    return [f["rule"] for f in found]


@pytest.fixture
def repo(isolated_cwd: Path) -> Path:
    """A project whose entitlements file sits two folders below the configuration."""
    write(isolated_cwd / "App" / "Sources" / "App.entitlements", APS)
    return isolated_cwd


TARGET = Path("App") / "Sources" / "App.entitlements"


def test_without_configuration_nothing_is_assumed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert findings(capsys, TARGET) == (0, [])


def test_entlint_toml_is_found_upward(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / ".entlint.toml", 'platforms = ["macOS"]\n')
    code, found = findings(capsys, TARGET)
    assert code == 1
    assert rules(found) == ["unavailable-on-platform"]
    assert found[0]["severity"] == "warning" and "set --platform" not in found[0]["message"]


def test_entlint_toml_may_use_a_tool_table(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / ".entlint.toml", '[tool.entlint]\nplatforms = "macOS"\n')
    assert rules(findings(capsys, TARGET)[1]) == ["unavailable-on-platform"]


def test_pyproject_tool_table_is_found_upward(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "pyproject.toml", '[project]\nname = "x"\n\n[tool.entlint]\nplatforms = ["macOS"]\n')
    assert rules(findings(capsys, TARGET)[1]) == ["unavailable-on-platform"]


def test_pyproject_without_the_table_is_skipped(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / ".entlint.toml", 'platforms = ["macOS"]\n')
    write(repo / "App" / "pyproject.toml", '[project]\nname = "inner"\n[tool.ruff]\nline-length = 100\n')
    assert rules(findings(capsys, TARGET)[1]) == ["unavailable-on-platform"]


@pytest.mark.parametrize("content", [
    '[tool]\nentlint = { platforms = ["macOS"] }\n',
    '[tool]\nentlint.platforms = ["macOS"]\n',
    'tool.entlint.platforms = ["macOS"]\n',
], ids=["inline-table", "dotted-in-tool", "dotted-top"])
def test_pyproject_table_written_in_any_toml_form_is_read(repo: Path, capsys: pytest.CaptureFixture[str],
                                                          content: str) -> None:
    write(repo / "pyproject.toml", content)
    assert rules(findings(capsys, TARGET)[1]) == ["unavailable-on-platform"]


def test_pyproject_naming_entlint_only_as_a_dependency_is_skipped(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / ".entlint.toml", 'platforms = ["macOS"]\n')
    write(repo / "App" / "pyproject.toml", '[project]\nname = "inner"\ndependencies = ["entlint"]\n')
    assert rules(findings(capsys, TARGET)[1]) == ["unavailable-on-platform"]


def test_the_nearest_configuration_wins(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / ".entlint.toml", 'platforms = ["macOS"]\n')
    write(repo / "App" / ".entlint.toml", 'platforms = ["iOS"]\n')
    write(repo / "Mac" / "Mac.entitlements", APS)
    _, found = findings(capsys, ".")
    assert [(f["path"], f["rule"]) for f in found] == [("Mac/Mac.entitlements", "unavailable-on-platform")]


def test_entlint_toml_beats_pyproject_in_the_same_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "pyproject.toml", '[tool.entlint]\nplatforms = ["iOS"]\n')
    write(repo / ".entlint.toml", 'platforms = ["macOS"]\n')
    assert rules(findings(capsys, TARGET)[1]) == ["unavailable-on-platform"]


def test_command_line_overrides_configured_platforms(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / ".entlint.toml", 'platforms = ["macOS"]\n')
    assert findings(capsys, "--platform", "iOS", TARGET) == (0, [])


def test_isolated_and_explicit_config(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / ".entlint.toml", 'platforms = ["macOS"]\n')
    assert findings(capsys, "--isolated", TARGET) == (0, [])
    write(repo / "elsewhere" / "ci.toml", 'platforms = ["macOS"]\nignore = ["ENT006"]\n')
    assert findings(capsys, "--config", repo / "elsewhere" / "ci.toml", TARGET) == (0, [])


def test_distribution_from_configuration(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "App" / "Sources" / "App.entitlements", plist("<key>get-task-allow</key>\n<true/>"))
    assert "debug-entitlement-in-distribution" not in rules(findings(capsys, TARGET)[1])
    write(repo / ".entlint.toml", 'platforms = ["iOS"]\ndistribution = "app-store"\n')
    assert "debug-entitlement-in-distribution" in rules(findings(capsys, TARGET)[1])


def test_per_file_ignores(isolated_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = plist("<!-- note -->\n<key>com.apple.developer.push-notifications</key>\n<true/>")
    write(isolated_cwd / "App" / "App.entitlements", bad)
    write(isolated_cwd / "Tests" / "Fixture.entitlements", bad)
    write(isolated_cwd / "Tests" / "Other.entitlements", bad)
    write(isolated_cwd / ".entlint.toml", """
platforms = ["iOS"]
[per-file-ignores]
"Tests/*.entitlements" = ["ENT001"]
"Other.entitlements" = ["xml-comment-in-entitlements", "ENT0"]
""")
    _, found = findings(capsys, ".")
    by_path: dict[str, list[str]] = {}
    for f in found:
        by_path.setdefault(f["path"], []).append(f["code"])
    assert by_path == {
        "App/App.entitlements": ["ENT104", "ENT001"],
        "Tests/Fixture.entitlements": ["ENT104"],
    }


def test_severity_overrides_and_fail_level(isolated_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(isolated_cwd / "App.entitlements", plist("<!-- note -->\n<key>com.apple.developer.family-controls</key>\n<true/>"))
    assert [(f["code"], f["severity"]) for f in findings(capsys, "App.entitlements")[1]] == [("ENT104", "warning"), ("ENT008", "info")]
    write(isolated_cwd / ".entlint.toml", '[severity]\nxml-comment-in-entitlements = "info"\nENT008 = "error"\n')
    code, found = findings(capsys, "App.entitlements")
    assert [(f["code"], f["severity"]) for f in found] == [("ENT104", "info"), ("ENT008", "error")]
    assert code == 1
    write(isolated_cwd / ".entlint.toml", '[severity]\nENT008 = "warning"\n')
    assert findings(capsys, "App.entitlements")[0] == 1
    write(isolated_cwd / ".entlint.toml", 'fail-level = "error"\n[severity]\nENT008 = "warning"\n')
    assert findings(capsys, "App.entitlements")[0] == 0


def test_select_and_ignore_from_configuration(isolated_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(isolated_cwd / "App.entitlements", plist("<!-- note -->\n<key>com.apple.developer.push-notifications</key>\n<true/>"))
    write(isolated_cwd / ".entlint.toml", 'select = ["ENT1"]\n')
    assert [f["code"] for f in findings(capsys, "App.entitlements")[1]] == ["ENT104"]
    write(isolated_cwd / ".entlint.toml", 'ignore = ["unknown-entitlement"]\n')
    assert [f["code"] for f in findings(capsys, "App.entitlements")[1]] == ["ENT104"]
    # --ignore on the command line adds to the configured ignores.
    assert findings(capsys, "--ignore", "ENT104", "App.entitlements")[1] == []


def test_granted_keys_suppress_unknown_and_private_findings(isolated_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(isolated_cwd / "App.entitlements", plist("""
        <key>com.apple.private.security.no-sandbox</key>
        <true/>
        <key>com.example.brand-new-capability</key>
        <true/>
        <key>com.apple.developer.push-notifications</key>
        <true/>
    """))
    assert rules(findings(capsys, "App.entitlements")[1]) == ["private-entitlement", "unknown-entitlement", "unknown-entitlement"]
    write(isolated_cwd / ".entlint.toml",
          'granted = ["com.apple.private.security.no-sandbox", "com.example.brand-new-capability"]\n')
    found = findings(capsys, "App.entitlements")[1]
    assert [(f["rule"], f["key"]) for f in found] == [("unknown-entitlement", "com.apple.developer.push-notifications")]


@pytest.mark.parametrize(("content", "message"), [
    ('platforms = ["iOS"]\ncolour = "red"\n', "unknown setting(s) colour (known: "),
    ('platform = "iOS"\n', "unknown setting(s) platform (did you mean platforms?)"),
    ('platforms = ["Android"]\n', "platforms: unknown platform 'Android'"),
    ('distribution = "testflight"\n', "unknown distribution 'testflight'"),
    ('platforms = ["iOS"\n', "invalid TOML"),
    ('select = ["ENT999"]\n', "unknown rule code, prefix or name 'ENT999'"),
    ('[severity]\nENT001 = "fatal"\n', "unknown severity 'fatal'"),
    ('[severity]\nno-such-rule = "error"\n', "severity: unknown rule 'no-such-rule'"),
    ('per-file-ignores = "Tests/*"\n', "per-file-ignores: expected a table"),
    ('granted = [1, 2]\n', "granted: expected a string or a list of strings"),
], ids=["unknown-key", "singular-platform", "bad-platform", "bad-distribution", "invalid-toml", "bad-selector", "bad-severity",
        "unknown-severity-rule", "per-file-ignores-type", "granted-type"])
def test_bad_configuration_is_a_clear_error(repo: Path, capsys: pytest.CaptureFixture[str], content: str, message: str) -> None:
    config = write(repo / ".entlint.toml", content)
    code, out, err = check([TARGET], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith(f"entlint: error: {config}")
    assert message in err
    assert err.count("\n") == 1


def test_bad_pyproject_table_through_a_real_process(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.entlint]\nplatform = ["iOS"]\n')
    proc = cli([TARGET], cwd=repo)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"entlint: error: {repo / 'pyproject.toml'}: unknown setting(s) platform")
    assert "Traceback" not in proc.stderr


def test_config_naming_a_pyproject_without_the_table_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Discovery skips such a file; named with --config it is a mistake, not "no settings"."""
    config = write(repo / "tools" / "pyproject.toml", '[project]\nname = "x"\n')
    code, out, err = check(["--config", config, TARGET], capsys)
    assert (code, out) == (2, "")
    assert err == f"entlint: error: {config}: no [tool.entlint] table\n"
