"""Output formats, statistics, exit codes, --fail-level, --exit-zero, --select/--ignore."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from lint_helpers import check, cli, plist

SCHEMA_PATH = Path(__file__).with_name("sarif-schema-2.1.0.json")

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
#: (line, column, code, severity) of APP's findings with --platform iOS
APP_FINDINGS = [(5, 2, "ENT104", "warning"), (6, 2, "ENT001", "error"), (10, 2, "ENT008", "info"), (13, 2, "ENT005", "error")]
WARNING_AND_INFO = plist("<!-- beta -->\n<key>com.apple.developer.family-controls</key>\n<true/>")
INFO_ONLY = plist("<key>com.apple.developer.family-controls</key>\n<true/>")
CLEAN = plist("<key>aps-environment</key>\n<string>development</string>")


@pytest.fixture
def project(isolated_cwd: Path) -> Path:
    (isolated_cwd / "App.entitlements").write_bytes(APP)
    return isolated_cwd


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return check(["--isolated", "--platform", "iOS", *args], capsys)


# -- text --------------------------------------------------------------------------------

def test_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "App.entitlements")
    assert code == 1 and err == ""
    lines = out.splitlines()
    heads = [line for line in lines if not line.startswith("  ")]
    assert [tuple(re.match(r"App\.entitlements:(\d+):(\d+): (ENT\d+) \[(\w+)\] ", h).groups()) for h in heads[:-1]] == [
        (str(line), str(col), code_, severity) for line, col, code_, severity in APP_FINDINGS
    ]
    assert heads[1] == (
        "App.entitlements:6:2: ENT001 [error] `com.apple.developer.app-groups` is not an entitlement; "
        "use `com.apple.security.application-groups`"
    )
    assert heads[3] == (
        "App.entitlements:13:2: ENT005 [error] `aps-environment`: `Production` is not an allowed value "
        "(one of `development`, `production`; values are case-sensitive)"
    )
    i = lines.index(heads[1])
    block = lines[i + 1:lines.index(heads[2])]
    assert block[0].startswith("  note: ")
    assert block[1] == "  help: `com.apple.security.application-groups`: the real entitlement"
    assert block[2] == "  fix: Rename to `com.apple.security.application-groups` (--fix)"
    assert block[3] == "  see: https://github.com/entlint/entlint/blob/main/docs/rules/ENT001.md"
    assert "  fix: Remove the comment (--unsafe-fixes)" in lines
    assert heads[-1] == "Checked 1 file: 2 errors, 1 warning, 1 info; 2 fixable with --fix."
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_text_colour_and_quiet(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--color", "always", "App.entitlements")
    assert "\x1b[31m\x1b[1mENT001\x1b[0m \x1b[31m[error]\x1b[0m" in out
    assert "\x1b[33m[warning]\x1b[0m" in out and "\x1b[36m[info]\x1b[0m" in out
    _, out, _ = run(capsys, "--quiet", "App.entitlements")
    assert "Checked" not in out and out.startswith("App.entitlements:5:2: ENT104 [warning] ")


def test_text_help_line_for_a_misspelt_key(isolated_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated_cwd / "App.entitlements").write_bytes(plist(
        "<key>com.apple.developer.associated-domain</key>\n<array>\n\t<string>applinks:example.com</string>\n</array>"))
    _, out, _ = run(capsys, "App.entitlements")
    assert "did you mean `com.apple.developer.associated-domains`?" in out
    assert re.search(r"^  help: `com\.apple\.developer\.associated-domains`: ", out, re.MULTILINE)


# -- xcode -------------------------------------------------------------------------------

def test_xcode(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "xcode", "App.entitlements")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 4  # no summary, nothing else Xcode would misread
    level = {"error": "error", "warning": "warning", "info": "note"}
    for line_text, (line, col, code_, severity) in zip(lines, APP_FINDINGS):
        assert re.fullmatch(rf"App\.entitlements:{line}:{col}: {level[severity]}: .+ \[{code_}\]", line_text)
    assert lines[1] == (
        "App.entitlements:6:2: error: `com.apple.developer.app-groups` is not an entitlement; "
        "use `com.apple.security.application-groups` [ENT001]"
    )


# -- json --------------------------------------------------------------------------------

def test_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json", "App.entitlements")
    assert code == 1
    document = json.loads(out)
    from entitlements_lint import __version__

    assert document["version"] == __version__
    findings = document["findings"]
    assert [(f["line"], f["column"], f["code"], f["severity"]) for f in findings] == APP_FINDINGS
    required = {"path", "line", "column", "end_line", "end_column", "code", "rule", "severity",
                "message", "key", "suggestions", "url"}
    for f in findings:
        assert required <= set(f), f
        assert f["path"] == "App.entitlements"
        assert f["end_line"] >= f["line"] >= 1 and f["end_column"] >= 1
        assert f["url"] == f"https://github.com/entlint/entlint/blob/main/docs/rules/{f['code']}.md"
        for s in f["suggestions"]:
            assert {"kind", "key", "note"} <= set(s) and s["kind"] in ("entitlement", "info-plist-key", "none")
    unknown = findings[1]
    assert unknown == {
        **unknown,
        "rule": "unknown-entitlement",
        "key": "com.apple.developer.app-groups",
        "end_line": 6,
        "end_column": 2 + len("<key>com.apple.developer.app-groups</key>"),
        "suggestions": [{"kind": "entitlement", "key": "com.apple.security.application-groups", "note": "the real entitlement"}],
    }
    start = APP.index(b"com.apple.developer.app-groups")
    assert unknown["fix"] == {
        "description": "Rename to `com.apple.security.application-groups`",
        "applicability": "safe",
        "edits": [{"start": start, "end": start + len("com.apple.developer.app-groups"), "text": "com.apple.security.application-groups"}],
    }
    assert "fix" not in findings[2]  # managed-entitlement has no fix
    assert findings[0]["key"] is None and findings[0]["fix"]["applicability"] == "unsafe"


def test_json_for_a_file_that_does_not_parse(isolated_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated_cwd / "Bad.entitlements").write_bytes(b"<plist><dict><key>a</key></dict></plist>")
    code, out, _ = run(capsys, "--format", "json", "Bad.entitlements")
    assert code == 2
    (finding,) = json.loads(out)["findings"]
    assert (finding["code"], finding["rule"], finding["line"], finding["column"]) == ("ENT101", "syntax-error", 1, 14)
    assert finding["suggestions"] == [] and finding["key"] is None


# -- github ------------------------------------------------------------------------------

def test_github(isolated_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated_cwd / "My,App.entitlements").write_bytes(APP)
    code, out, _ = run(capsys, "--format", "github", "My,App.entitlements")
    assert code == 1
    lines = out.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::warning", "::error", "::notice", "::error"]
    assert lines[1] == (
        "::error file=My%2CApp.entitlements,line=6,col=2,endLine=6,endColumn=43,"
        "title=ENT001 unknown-entitlement::`com.apple.developer.app-groups` is not an entitlement; "
        "use `com.apple.security.application-groups`"
    )


def test_github_escapes_data() -> None:
    from entitlements_lint.engine import FileResult
    from entitlements_lint.findings import Finding
    from entitlements_lint.report import github

    finding = Finding("ENT001", "unknown-entitlement", "error", "100% wrong\nsecond line", "a:b.entitlements", 3, 4)
    assert github([FileResult("a:b.entitlements", "entitlements", [finding])], False) == (
        "::error file=a%3Ab.entitlements,line=3,col=4,endLine=3,endColumn=4,"
        "title=ENT001 unknown-entitlement::100%25 wrong%0Asecond line\n"
    )


# -- sarif -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_sarif_validates_against_the_official_schema(isolated_cwd: Path, sarif_validator,  # type: ignore[no-untyped-def]
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (isolated_cwd / "My App").mkdir()
    (isolated_cwd / "My App" / "App.entitlements").write_bytes(APP)
    (isolated_cwd / "My App" / "Info.plist").write_bytes(plist("<key>UIBackgroundModes</key>\n<array>\n\t<string>push</string>\n</array>"))
    (isolated_cwd / "Bad.entitlements").write_bytes(b"<plist><dict>")
    (isolated_cwd / "Binary.entitlements").write_bytes(__import__("plistlib").dumps({"a": 1}, fmt=__import__("plistlib").FMT_BINARY))
    code, out, _ = run(capsys, "--format", "sarif", ".")
    assert code == 2
    log = json.loads(out)
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert log["version"] == "2.1.0"
    (run_,) = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    from entitlements_lint.rules import ALL_RULES

    assert [r["id"] for r in rules] == [r.code for r in ALL_RULES]
    results = run_["results"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"My%20App/App.entitlements", "My%20App/Info.plist", "Bad.entitlements", "Binary.entitlements"}
    by_rule = {r["ruleId"]: r for r in results}
    region = by_rule["ENT001"]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 6, "startColumn": 2, "endLine": 6, "endColumn": 43}
    assert by_rule["ENT008"]["level"] == "note" and by_rule["ENT104"]["level"] == "warning"


def test_sarif_without_findings_is_valid(isolated_cwd: Path, sarif_validator, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    (isolated_cwd / "App.entitlements").write_bytes(CLEAN)
    code, out, _ = run(capsys, "--format", "sarif", "App.entitlements")
    assert code == 0
    log = json.loads(out)
    sarif_validator.validate(log)
    assert log["runs"][0]["results"] == []


def test_paths_given_absolute_or_with_dots_are_relative_to_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        sarif_validator,  # type: ignore[no-untyped-def]
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Code scanning and annotations attach findings only to checkout-relative paths;
    a file outside the checkout gets a file: URI, which SARIF allows."""
    checkout, elsewhere = tmp_path / "checkout", tmp_path / "else where"
    for folder in (checkout / "My App", elsewhere):
        folder.mkdir(parents=True)
        (folder / "App.entitlements").write_bytes(APP)
    monkeypatch.chdir(checkout)
    given = [str(checkout / "My App" / "App.entitlements"), "../checkout/./My App/App.entitlements",
             str(elsewhere / "App.entitlements")]
    _, out, _ = run(capsys, "--format", "sarif", *given)
    log = json.loads(out)
    sarif_validator.validate(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert set(uris) == {"My%20App/App.entitlements", (elsewhere / "App.entitlements").as_uri()}
    _, out, _ = run(capsys, "--format", "github", *given[:2])
    assert {line.split(" ", 1)[1].split(",")[0] for line in out.splitlines()} == {"file=My App/App.entitlements"}


def test_the_schema_rejects_a_broken_log(sarif_validator) -> None:  # type: ignore[no-untyped-def]
    """The vendored schema really constrains: a result without a message is invalid."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "X"}]}]}
    assert list(sarif_validator.iter_errors(bad))
    bad_level = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                               "results": [{"message": {"text": "m"}, "level": "info"}]}]}
    assert list(sarif_validator.iter_errors(bad_level))


# -- statistics, output file -------------------------------------------------------------

def test_statistics(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "Other.entitlements").write_bytes(plist("<key>com.apple.developer.push-notifications</key>\n<true/>"))
    code, out, _ = run(capsys, "--statistics", ".")
    assert code == 1
    assert out.splitlines() == [
        "    2  ENT001  unknown-entitlement [1 fixable]",
        "    1  ENT005  invalid-value [1 fixable]",
        "    1  ENT008  managed-entitlement",
        "    1  ENT104  xml-comment-in-entitlements",
        "Checked 2 files: 3 errors, 1 warning, 1 info; 2 fixable with --fix.",
    ]


def test_output_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json", "-o", "report.json", "App.entitlements")
    assert code == 1 and out == ""
    assert len(json.loads((project / "report.json").read_text())["findings"]) == 4


# -- exit codes --------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "args", "expected"), [
    (CLEAN, [], 0),
    (APP, [], 1),
    (WARNING_AND_INFO, [], 1),
    (WARNING_AND_INFO, ["--fail-level", "error"], 0),
    (INFO_ONLY, [], 0),
    (INFO_ONLY, ["--fail-level", "info"], 1),
    (APP, ["--fail-level", "error"], 1),
    (APP, ["--exit-zero"], 0),
], ids=["clean", "errors", "warning", "warning-fail-level-error", "info", "info-fail-level-info",
        "errors-fail-level-error", "exit-zero"])
def test_exit_codes(isolated_cwd: Path, capsys: pytest.CaptureFixture[str], content: bytes, args: list[str], expected: int) -> None:
    (isolated_cwd / "App.entitlements").write_bytes(content)
    code, _, _ = run(capsys, *args, "App.entitlements")
    assert code == expected


def test_exit_zero_still_fails_on_input_errors(isolated_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated_cwd / "App.entitlements").write_bytes(APP)
    (isolated_cwd / "Bad.entitlements").write_bytes(b"")
    code, out, _ = run(capsys, "--exit-zero", ".")
    assert code == 2
    assert "Bad.entitlements:1:1: ENT101 [error] file is empty" in out


# -- select / ignore ---------------------------------------------------------------------

@pytest.mark.parametrize(("args", "codes"), [
    ([], ["ENT104", "ENT001", "ENT008", "ENT005"]),
    (["--select", "ENT001"], ["ENT001"]),
    (["--select", "ent005"], ["ENT005"]),
    (["--select", "ENT00"], ["ENT001", "ENT008", "ENT005"]),
    (["--select", "ENT1"], ["ENT104"]),
    (["--select", "unknown-entitlement,invalid-value"], ["ENT001", "ENT005"]),
    (["--select", "unknown-entitlement", "--select", "ENT104"], ["ENT104", "ENT001"]),
    (["--select", "ENT001", "--extend-select", "managed-entitlement"], ["ENT001", "ENT008"]),
    (["--ignore", "ENT001"], ["ENT104", "ENT008", "ENT005"]),
    (["--ignore", "ENT1"], ["ENT001", "ENT008", "ENT005"]),
    (["--ignore", "xml-comment-in-entitlements,managed-entitlement"], ["ENT001", "ENT005"]),
    (["--select", "ENT0", "--ignore", "ENT001"], ["ENT008", "ENT005"]),
    (["--select", "ALL", "--ignore", "ENT"], []),
])
def test_select_and_ignore(project: Path, capsys: pytest.CaptureFixture[str], args: list[str], codes: list[str]) -> None:
    _, out, _ = run(capsys, "--format", "json", *args, "App.entitlements")
    assert [f["code"] for f in json.loads(out)["findings"]] == codes


@pytest.mark.parametrize("args", [["--select", "ENT999"], ["--ignore", "no-such-rule"], ["--select", "ENT001,bogus"]])
def test_unknown_selectors_are_usage_errors(project: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, *args, "App.entitlements")
    assert code == 2 and out == ""
    assert err.startswith("entlint: error: ") and "unknown rule code, prefix or name" in err


def test_end_to_end_through_the_console_entry_point(project: Path) -> None:
    """The real process, as a user or a pre-commit hook runs it."""
    proc = cli(["--platform", "iOS", "--format", "xcode", "App.entitlements"], cwd=project)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[1].startswith("App.entitlements:6:2: error: ")
    assert proc.stderr == ""
