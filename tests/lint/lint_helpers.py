"""Helpers for the linter tests: plist builders and ways to run `entlint check`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
    '<plist version="1.0">\n<dict>\n'
)
TAIL = "</dict>\n</plist>\n"


def plist(body: str = "", newline: str = "\n") -> bytes:
    """An Xcode-style XML plist whose root dict holds ``body`` (indented with one tab)."""
    body = textwrap.dedent(body).strip("\n")
    lines = [("\t" + line if line else line) for line in body.split("\n")] if body else []
    text = HEAD + "".join(line + "\n" for line in lines) + TAIL
    return text.replace("\n", newline).encode("utf-8")


def check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `entlint check` in-process; returns (exit code, stdout, stderr)."""
    from entitlements_lint.cli_check import main

    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cli(args: list[str], cwd: str | os.PathLike[str] | None = None, stdin: bytes | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m entitlements_lint.main check ...` as a user would, in a real process."""
    env = dict(os.environ, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "entitlements_lint.main", "check", *[str(a) for a in args]],
        check=False,
        cwd=cwd,
        input=stdin.decode("latin-1") if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
