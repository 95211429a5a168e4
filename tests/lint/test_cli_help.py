"""One voice for help, through the real `entlint` process (issue 12)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

COMMANDS = [[], ["check"], ["rule"], ["rules"], ["lsp"], ["db"], ["db", "show"], ["db", "list"], ["db", "search"],
            ["db", "export"], ["db", "build"], ["profile"], ["profile", "show"]]


def entlint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "entitlements_lint.main", *args],
                          capture_output=True, text=True, check=False, timeout=120, env={"COLUMNS": "80", "PATH": ""})


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    out = {}
    for command in COMMANDS:
        short, long = entlint(*command, "-h"), entlint(*command, "--help")
        name = " ".join(command) or "entlint"
        assert short.returncode == 0, f"{name} -h: {short.stderr}"
        assert short.stdout == long.stdout, name
        out[name] = short.stdout
    return out


def test_dash_h_works_everywhere(helps: dict[str, str]) -> None:
    """Why: `entlint -h` failed ("No such option: -h") while `entlint check -h` worked."""
    assert helps["entlint"].startswith("Usage: entlint [OPTIONS] COMMAND")
    for name, text in helps.items():
        assert text.startswith("Usage: "), name
        assert "-h, --help  " in text and "Show this message and exit." in text, name


def test_one_placeholder_style(helps: dict[str, str]) -> None:
    """Why: placeholders like `{key}` and `<str>` next to argparse's `NAME`."""
    for name, text in helps.items():
        assert not re.search(r"\{[a-z]+\}|<str>|<text>|\[default: ", text), (name, text)
    assert "Usage: entlint db show [OPTIONS] KEY\n" in helps["db show"]
    assert "--platform NAME" in helps["db show"] and "--platform NAME" in helps["check"]
    assert "--format FORMAT" in helps["check"] and "--format FORMAT" in helps["db list"]


def test_command_summaries_are_whole_sentences(helps: dict[str, str]) -> None:
    """Why: summaries were cut mid-sentence (`Lint .entitlements files and Info.plists (see `entlint check...`)."""
    for name in ("entlint", "db", "profile"):
        listing = helps[name].split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        entries = re.split(r"\n  (?=\S)", "\n" + listing.rstrip())[1:]
        assert entries, name
        for entry in entries:
            summary = " ".join(entry.split()[1:])
            assert "..." not in summary and summary.endswith("."), (name, summary)


def test_valid_choices_are_listed(helps: dict[str, str]) -> None:
    """Why: the valid platform values were not listed."""
    platforms = "iOS, iPadOS, macOS, macCatalyst, tvOS, watchOS or visionOS"
    for name in ("check", "db show", "db list", "db search"):
        flat = " ".join(helps[name].split())
        assert platforms in flat and "iphoneos, macosx, appletvos, watchos, xros" in flat, name
    flat_check = " ".join(helps["check"].split())
    assert "text, concise, xcode, json, sarif or github" in flat_check
    assert "info, warning or error" in flat_check
    assert "development, ad-hoc, app-store, in-house or developer-id" in flat_check
    assert "text, json or markdown" in " ".join(helps["db show"].split())
    assert "text, json or markdown" in " ".join(helps["db search"].split())


def test_every_command_has_examples_and_the_exit_codes_are_documented(helps: dict[str, str]) -> None:
    for name, text in helps.items():
        if name in ("db", "profile"):
            continue  # groups list their commands
        assert re.search(r"Examples?[^:\n]*:\n", text), name
    for name in ("entlint", "check"):
        assert re.search(r"Exit codes:\n +0 +no finding.*\n.*\n +1 +.*\n +2 +an input or usage error", helps[name]), name


def test_check_help_needs_no_typer() -> None:
    """`entlint check` keeps its fast start: its help (and its run) never import typer."""
    code = ("import sys; from entitlements_lint.main import main\n"
            "try:\n    main(['check', '-h'])\nexcept SystemExit:\n    pass\n"
            "assert 'typer' not in sys.modules, 'typer imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
