"""`entlint db search` (issue 9): answers from the feature index, through the real process.

Every command starts at once in one fixture; the tests then read their results.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

COMMANDS: dict[str, list[str]] = {
    "groups": ["db", "search", "app groups"],
    "groups-json": ["db", "search", "app groups", "--format", "json", "--limit", "3"],
    "widget": ["db", "search", "WidgetKit"],
    "widget-markdown": ["db", "search", "widgets", "--format", "markdown"],
    "outgoing-mac": ["db", "search", "outgoing network connections", "--platform", "macosx", "--format", "json"],
    "push-mac": ["db", "search", "push notifications", "--platform", "macOS", "--format", "json"],
    "push-ios": ["db", "search", "push notifications", "--platform", "iphoneos", "--format", "json"],
    "bad-platform": ["db", "search", "push", "--platform", "foo"],
    "bad-format": ["db", "search", "push", "--format", "yaml"],
    "bad-limit": ["db", "search", "push", "--limit", "0"],
    "nothing": ["db", "search", "zzqx-no-such-word"],
    "nothing-json": ["db", "search", "zzqx-no-such-word", "--format", "json"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    cwd = tmp_path_factory.mktemp("elsewhere")
    started = {
        name: subprocess.Popen([sys.executable, "-m", "entitlements_lint.main", *args], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        for name, args in COMMANDS.items()
    }
    done = {}
    for name, proc in started.items():
        out, err = proc.communicate(timeout=120)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


def _ok(runs: dict[str, subprocess.CompletedProcess[str]], name: str) -> str:
    run = runs[name]
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_a_feature_name_finds_its_key_first(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    first = _ok(runs, "groups").splitlines()[0]
    assert first.startswith("com.apple.security.application-groups  ")


def test_json_gives_key_name_score_and_why(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    rows = json.loads(_ok(runs, "groups-json"))
    assert 1 <= len(rows) <= 3
    assert rows[0]["key"] == "com.apple.security.application-groups"
    for row in rows:
        assert {"key", "name", "score", "why", "kind"} <= set(row)
        assert 0.0 <= row["score"] <= 1.0 and row["why"]
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)


def test_a_feature_needing_no_entitlement_says_what_to_do(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    lines = _ok(runs, "widget").splitlines()
    assert lines[0].startswith("(no entitlement)  WidgetKit  [")
    assert "no entitlement" in lines[1] and lines[1].startswith("    ")
    table = _ok(runs, "widget-markdown").splitlines()
    assert table[:2] == ["| Key | Name | Score | Why it matched |", "|---|---|---|---|"]
    assert table[2].startswith("| no entitlement: ")


def test_platform_names_as_check_takes_them(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    assert json.loads(_ok(runs, "outgoing-mac"))[0]["key"] == "com.apple.security.network.client"
    # Push on macOS is the com.apple.developer spelling; on iOS (Xcode's iphoneos) aps-environment.
    assert json.loads(_ok(runs, "push-mac"))[0]["key"] == "com.apple.developer.aps-environment"
    assert json.loads(_ok(runs, "push-ios"))[0]["key"] == "aps-environment"


@pytest.mark.parametrize(("name", "message"), [
    ("bad-platform", "unknown platform 'foo'"),
    ("bad-format", "unknown format 'yaml'"),
    ("bad-limit", "--limit: 0 is not from 1 to"),
])
def test_usage_errors_exit_2(runs: dict[str, subprocess.CompletedProcess[str]], name: str, message: str) -> None:
    run = runs[name]
    assert run.returncode == 2 and run.stdout == ""
    assert message in run.stderr


def test_no_answer_exits_1(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    text, as_json = runs["nothing"], runs["nothing-json"]
    assert text.returncode == 1 and text.stdout == "" and "zzqx-no-such-word" in text.stderr
    assert as_json.returncode == 1 and json.loads(as_json.stdout) == []
