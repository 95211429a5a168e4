"""Applying fixes: text edits on the original bytes, verified, then written atomically.

Only the edited byte ranges change; everything else stays byte-identical. After each
round the result is parsed again: if it no longer parses, nothing is written. Rounds
repeat until no fix applies, so a second run changes nothing.
"""

from __future__ import annotations

import os

from entitlements_lint.errors import InputError
from entitlements_lint.findings import Edit, Finding
from entitlements_lint.plist import parse

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_ROUNDS = 10


def applicable(findings: list[Finding], unsafe: bool) -> list[Finding]:
    return [f for f in findings if f.fix is not None and (f.fix.safe or unsafe)]


def apply_edits(data: bytes, findings: list[Finding]) -> tuple[bytes, int]:
    """Apply each finding's edits, skipping any fix that overlaps one already taken."""
    chosen: list[Edit] = []
    applied = 0
    for finding in sorted(findings, key=lambda f: f.fix.edits[0].start if f.fix and f.fix.edits else 0):
        assert finding.fix is not None
        edits = finding.fix.edits
        if any(e.start < c.end and c.start < e.end or (e.start == e.end == c.start) for e in edits for c in chosen):
            continue
        chosen.extend(edits)
        applied += 1
    out = bytearray(data)
    for edit in sorted(chosen, key=lambda e: e.start, reverse=True):
        out[edit.start : edit.end] = edit.text.encode("utf-8")
    return bytes(out), applied


def fix_bytes(
    data: bytes, lint: Callable[[bytes], list[Finding]], unsafe: bool
) -> tuple[bytes, int, list[Finding]]:
    """Fix until stable. Returns the new bytes, how many fixes applied, and what remains."""
    total = 0
    findings = lint(data)
    for _ in range(MAX_ROUNDS):
        todo = applicable(findings, unsafe)
        if not todo:
            break
        candidate, count = apply_edits(data, todo)
        try:
            parse(candidate)
        except InputError:
            break  # never produce a file that does not parse
        data, total = candidate, total + count
        findings = lint(data)
    return data, total, findings


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    import difflib

    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))


def write_atomic(path: str, data: bytes) -> None:
    """Write next to the file and rename over it, keeping its permissions."""
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    fd, temp = tempfile.mkstemp(prefix=".entlint-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
