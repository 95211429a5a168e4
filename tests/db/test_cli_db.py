"""`entlint db …` run as a user runs it: a fresh interpreter, outside the repository.

All commands start at once in one fixture (each interpreter costs ~0.3 s); the tests
then read their results.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from entitlements_db.database import PLATFORMS, Database

NON_EXISTENT = "com.apple.developer.push-notifications"
COMMANDS: dict[str, list[str]] = {
    "show": ["db", "show", "aps-environment", "--format", "markdown"],
    "show-non-existent": ["db", "show", NON_EXISTENT, "--platform", "macOS"],
    "search": ["db", "search", "healthkit"],
    "search-nothing": ["db", "search", "zzqx-no-such-word"],
    "list": ["db", "list", "--platform", "macOS", "--format", "json"],
    "export": ["db", "export"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    cwd = tmp_path_factory.mktemp("elsewhere")  # not the repository: use the installed package
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", "entitlements_lint.main", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for name, args in COMMANDS.items()
    }
    done = {}
    for name, process in started.items():
        out, err = process.communicate(timeout=60)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


def _ok(runs: dict[str, subprocess.CompletedProcess[str]], name: str) -> str:
    run = runs[name]
    assert run.returncode == 0, f"{name}: exit {run.returncode}\n{run.stderr}"
    return run.stdout


def test_show_a_real_key(runs: dict[str, subprocess.CompletedProcess[str]], db: Database) -> None:
    out = _ok(runs, "show")
    entry = db["aps-environment"]
    assert out.startswith("**aps-environment**")
    assert entry.name in out
    assert entry.docs in out
    platform_line = next(line for line in out.splitlines() if line.startswith("- Platforms:"))
    shown = [item.split()[0] for item in platform_line.split(":", 1)[1].split(",")]
    assert sorted(shown) == sorted(entry.platforms)
    assert "iOS 10.0+" in platform_line  # with the version introduced
    assert "`development`" in out and "`production`" in out
    assert "com.apple.developer.aps-environment" in out  # the macOS counterpart


def test_show_a_non_existent_key_names_the_replacement(
    runs: dict[str, subprocess.CompletedProcess[str]], db: Database
) -> None:
    run = runs["show-non-existent"]
    assert run.returncode == 1  # not a real entitlement, but the replacement is printed
    out = run.stdout
    assert "not an entitlement" in out
    assert db.non_existent(NON_EXISTENT).explanation.split()[0] in out  # type: ignore[union-attr]
    bullets = out.split("Use instead:", 1)[1].strip().splitlines()
    assert bullets[0].startswith("- com.apple.developer.aps-environment: ")  # plain text on a terminal
    assert not any(b.startswith("- aps-environment:") for b in bullets)  # not on macOS


def test_search_lists_matching_keys(
    runs: dict[str, subprocess.CompletedProcess[str]], db: Database
) -> None:
    lines = _ok(runs, "search").splitlines()
    keys = [line.split()[0] for line in lines]
    assert keys[0] == "com.apple.developer.healthkit"
    assert "com.apple.developer.healthkit.access" in keys
    assert len(keys) == len(set(keys))
    assert all(k in db for k in keys)
    assert db["com.apple.developer.healthkit"].name in lines[0]


def test_search_without_a_match_fails(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    run = runs["search-nothing"]
    assert run.returncode == 1
    assert run.stdout == ""
    assert "zzqx-no-such-word" in run.stderr


def test_list_platform_json(
    runs: dict[str, subprocess.CompletedProcess[str]], db: Database
) -> None:
    rows = json.loads(_ok(runs, "list"))
    assert isinstance(rows, list) and rows
    assert all("macOS" in row["platforms"] for row in rows)
    keys = [row["key"] for row in rows]
    assert keys == [e.key for e in db.filter(platform="macOS")]
    assert "com.apple.developer.aps-environment" in keys and "aps-environment" not in keys


def test_export_is_the_documented_json(
    runs: dict[str, subprocess.CompletedProcess[str]], db: Database
) -> None:
    data: dict[str, Any] = json.loads(_ok(runs, "export"))
    assert set(data) >= {"meta", "entitlements", "non_existent", "apple_internal", "info_plist"}
    meta = data["meta"]
    assert meta == db.meta
    assert {"format", "version", "digest", "counts"} <= set(meta)
    assert meta["counts"]["entitlements"] == len(data["entitlements"]) == len(db)
    assert meta["counts"]["non_existent"] == len(data["non_existent"])
    for entry in data["entitlements"]:
        assert {"key", "name", "summary", "platforms", "value", "docs", "sources"} <= set(entry), (
            entry["key"]
        )
        assert set(entry["platforms"]) <= set(PLATFORMS)
        assert entry["sources"] and all(s["url"].startswith("https://") for s in entry["sources"])
    for entry in data["non_existent"]:
        assert entry["key"] and entry["replacements"], entry["key"]
        assert all(
            r["kind"] in ("entitlement", "info-plist-key", "none", "apple-internal")
            for r in entry["replacements"]
        )
    exported = {e["key"]: e for e in data["entitlements"]}
    assert exported["aps-environment"]["value"]["allowed"] == ["development", "production"]
    assert exported["com.apple.developer.family-controls"]["managed"]["distributions"]
