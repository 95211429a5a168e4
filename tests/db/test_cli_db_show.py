"""`entlint db show` and `db list` as issue 12 asks, through the real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

NON_EXISTENT = "com.apple.developer.push-notifications"


def entlint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "entitlements_lint.main", *args],
                          capture_output=True, text=True, check=False, timeout=120)


@pytest.mark.parametrize("command", [["db", "show", "aps-environment"], ["db", "list"]])
def test_platform_is_validated(command: list[str]) -> None:
    """Why: `entlint db show` accepted `--platform foo`."""
    proc = entlint(*command, "--platform", "foo")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "unknown platform 'foo' (one of iOS, iPadOS, macCatalyst, macOS, tvOS, visionOS, watchOS)" in proc.stderr


@pytest.mark.parametrize("platform", ["iOS", "iphoneos", "iphonesimulator"])
def test_xcode_platform_names_keep_the_main_suggestion(platform: str) -> None:
    """Why: `--platform iphoneos` (which `check` accepts) dropped the main suggestion."""
    proc = entlint("db", "show", NON_EXISTENT, "--platform", platform, "--format", "json")
    assert [s["key"] for s in json.loads(proc.stdout)["suggestions"]][0] == "aps-environment"


def test_exit_codes() -> None:
    """Why: `db show` exited 0 for an unknown key."""
    assert entlint("db", "show", "aps-environment").returncode == 0
    unknown = entlint("db", "show", "com.example.no-such-key")
    assert unknown.returncode == 1 and "com.example.no-such-key" in unknown.stdout
    catalogued = entlint("db", "show", NON_EXISTENT)
    assert catalogued.returncode == 1
    assert "- aps-environment: " in catalogued.stdout  # the replacement is still printed
    assert entlint("db", "show", "NSCameraUsageDescription").returncode == 1  # an Info.plist key


def test_plain_text_by_default_markdown_on_request() -> None:
    """Why: `db show` printed `**` Markdown markers on a terminal."""
    text = entlint("db", "show", "aps-environment").stdout
    assert "**" not in text and "`" not in text
    assert text.startswith("aps-environment: ")
    markdown = entlint("db", "show", "aps-environment", "--format", "markdown").stdout
    assert markdown.startswith("**aps-environment**: ") and "`development`" in markdown


def test_show_json() -> None:
    """Why: `db show` had no `--format json`."""
    real = json.loads(entlint("db", "show", "aps-environment", "--format", "json").stdout)
    assert real["kind"] == "entitlement" and real["entitlement"]["key"] == "aps-environment"
    missing = json.loads(entlint("db", "show", NON_EXISTENT, "--format", "json").stdout)
    assert missing["kind"] == "non-existent" and missing["entitlement"] is None
    assert "**" not in missing["headline"] and missing["suggestions"][0]["kind"] == "entitlement"


def test_list_formats_and_bad_format() -> None:
    keys = entlint("db", "list", "--platform", "xros").stdout.split()
    assert "aps-environment" in keys and "com.apple.security.app-sandbox" not in keys
    table = entlint("db", "list", "--platform", "visionOS", "--format", "markdown").stdout.splitlines()
    assert table[0] == "| Key | Name | Platforms |" and len(table) == len(keys) + 2
    assert json.loads(entlint("db", "list", "--platform", "xros", "--format", "json").stdout)[0]["key"] == keys[0]
    bad = entlint("db", "show", "aps-environment", "--format", "yaml")
    assert bad.returncode == 2 and "unknown format 'yaml'" in bad.stderr
