"""Every way a test can skip says what to do to run it, so that a skip is never a dead end.

A reason such as "`../shared/reference/*.json` is absent" tells a newcomer nothing they can
act on; "run the tests from a checkout with ../shared beside it" does. Each skip in tests/
(``pytest.skip``, ``pytest.importorskip``, ``pytest.mark.skip``/``skipif``) must give a reason
that starts with an instruction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
#: A reason starts with what the reader can do.
INSTRUCTIONS = ("run ", "install ", "set ", "use ")
SKIPS = {"skip", "importorskip", "skipif"}


def _text(node: ast.expr | None, constants: dict[str, str]) -> str | None:
    """The literal text of a reason (an f-string's fixed parts), or None when there is none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level string constants of every test module (reasons shared through helpers)."""
    found = {}
    for tree in trees.values():
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                    found[stmt.targets[0].id] = stmt.value.value
    return found


def _skips(tree: ast.Module) -> list[tuple[int, str, ast.expr | None]]:
    """(line, kind, reason node) for each skip in a module."""
    found = []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if id(node) in called:
            continue  # seen as its call
        target = node.func if isinstance(node, ast.Call) else node
        if not isinstance(target, ast.Attribute) or target.attr not in SKIPS:
            continue
        if not (isinstance(target.value, ast.Name) and target.value.id == "pytest") and not (
            isinstance(target.value, ast.Attribute) and target.value.attr == "mark"
        ):
            continue
        if not isinstance(node, ast.Call):
            found.append((node.lineno, target.attr, None))  # a bare @pytest.mark.skip
            continue
        reason = next((k.value for k in node.keywords if k.arg in ("reason", "msg")), None)
        if reason is None and target.attr == "skip" and node.args:
            reason = node.args[0]
        found.append((node.lineno, target.attr, reason))
    return found


def collect() -> list[pytest.param]:
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(TESTS.rglob("*.py"))}
    constants = _constants(trees)
    cases = []
    for path, tree in trees.items():
        if path == Path(__file__).resolve():
            continue
        for line, kind, reason in _skips(tree):
            name = f"{path.relative_to(TESTS)}:{line}"
            cases.append(pytest.param(kind, _text(reason, constants), id=name))
    return cases


CASES = collect()


def test_the_scan_finds_the_skips() -> None:
    kinds = {c.values[0] for c in CASES}
    assert {"skip", "skipif", "importorskip"} <= kinds


@pytest.mark.parametrize(("kind", "reason"), CASES)
def test_every_skip_says_what_to_do(kind: str, reason: str | None) -> None:
    assert reason, f"pytest.{kind} without a reason (or with one this test cannot read)"
    assert reason.lower().startswith(INSTRUCTIONS), f"the reason does not say what to do: {reason!r}"
